#!/usr/bin/env bash
# Measures burn's CPU options on the benchmark workloads: builds stepwise in release with each
# setting (a copy of the crate per variant, each with its own target dir: every variant is a
# full burn build, 4-6 minutes on 2 cores), then runs `stepwise bench` for each, alternating,
# ROUNDS times (default 3), and prints the medians.
#
#   bench/backends.sh [ROUNDS]        (VARIANTS_DIR: where the builds go, default target/variants)
#
# ndarray-openblas needs the system OpenBLAS (Debian: apt-get install libopenblas-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
root=${VARIANTS_DIR:-$PWD/target/variants}
python=${PYTHON:-python3}
mkdir -p "$root"

no_defaults='{ version = "=0.22.1", default-features = false, features = ["std", "optim", "autodiff", "extension"'
variants=(
  "flex-simd-rayon|{ version = \"=0.22.1\", features = [\"autodiff\", \"extension\"] }|flex"
  "flex-plain|$no_defaults] }|flex"
  "flex-simd|$no_defaults, \"simd\"] }|flex"
  "flex-rayon|$no_defaults, \"rayon\"] }|flex"
  "ndarray|{ version = \"=0.22.1\", features = [\"autodiff\", \"extension\"] }|ndarray"
  "ndarray-openblas|{ version = \"=0.22.1\", features = [\"autodiff\", \"extension\", \"openblas-system\"] }|ndarray"
)

binaries=()
for variant in "${variants[@]}"; do
  IFS='|' read -r name burn feature <<< "$variant"
  copy=$root/$name
  mkdir -p "$copy"
  rm -rf "$copy/src" "$copy/datasets"
  cp -r src datasets Cargo.lock "$copy/"
  sed "s|^burn = .*|burn = $burn|" Cargo.toml | sed '/^\[\[test\]\]/,$d' > "$copy/Cargo.toml"
  echo "building $name" >&2
  (cd "$copy" && CARGO_TARGET_DIR="$copy/target" cargo build --release --quiet \
    --no-default-features --features "$feature")
  binaries+=("$name=$copy/target/release/stepwise")
done

"$python" - "$rounds" "${binaries[@]}" <<'PY'
import json, statistics, subprocess, sys
rounds, variants = int(sys.argv[1]), [v.split("=", 1) for v in sys.argv[2:]]
results = {}
for round_ in range(rounds):
    order = variants[round_ % len(variants):] + variants[:round_ % len(variants)]
    for name, binary in order:
        report = json.loads(subprocess.run([binary, "bench", "--json"], check=True,
                                           capture_output=True, text=True).stdout)
        for w in report["workloads"]:
            rate = 1000 / w["ms_per_step"] if w["workload"] == "xor" else w["samples_per_second"]
            results.setdefault(name, {}).setdefault(w["workload"], []).append(rate)
        results[name].setdefault("matmul", []).append(report["matmul_gflops_per_second"])
print(f"| variant | digits samples/s | sine samples/s | xor updates/s | scale samples/s "
      f"| 1024² matmul GFLOP/s |")
print("|---|---|---|---|---|---|")
for name, _ in variants:
    cells = [f"{statistics.median(results[name][w]):,.0f}"
             for w in ("digits", "sine", "xor", "scale", "matmul")]
    print(f"| {name} | " + " | ".join(cells) + " |")
PY

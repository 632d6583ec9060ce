#!/usr/bin/env bash
# The memory estimate against the measured peak, on the shipped data sets and on a generated
# CSV of 1,000,000 rows x 21 columns (about 170 MB, written by `stepwise bench --workload
# ingest`). Prints one line per data set.
#   bench/memory.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/stepwise
"$bin" bench --workload ingest --rows "$rows" --csv "$work/big.csv" --json > /dev/null
printf "%-10s %12s %12s %8s\n" dataset estimate peak peak/est
for data in iris digits "$work/big.csv"; do
  out="$work/out-$(basename "$data" .csv)"
  "$bin" train --dataset "$data" --epochs 1 --batch-size 1024 --quiet --out "$out" >/dev/null
  python3 - "$out/summary.json" "$(basename "$data" .csv)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
e, p = s["memory_estimate_bytes"], s["peak_memory_bytes"]
print(f"{sys.argv[2]:<10} {e/2**20:9.1f} MiB {p/2**20:9.1f} MiB {p/e:8.2f}")
PY
done

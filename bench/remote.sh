#!/usr/bin/env bash
# What training on another machine costs per step, on the loopback interface: `stepwise serve
# --device flex` on 127.0.0.1, and `stepwise bench` run against it (--device remote) and on the
# same CPU backend directly (--device flex), alternating, ROUNDS times (default 3); prints each
# workload's medians and the remote/local ratio.
#
#   bench/remote.sh [ROUNDS] [WORKLOAD...]      (default workloads: xor digits sine scale)
#
# TRANSPORT: websocket (default) or iroh (direct, no relays). STEPWISE: a binary built with
# `--features remote` (default: `cargo build --release --features remote` in target/remote).
# FUSED=1 adds a third client built with burn's fusion caching (`--features remote,burn/fusion`,
# copied to target/remote/stepwise-fused); the server is the same plain one, as it understands
# both.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
if [ $# -gt 0 ]; then workloads=("$@"); else workloads=(xor digits sine scale); fi
transport=${TRANSPORT:-websocket}
python=${PYTHON:-python3}
if [ -z "${STEPWISE:-}" ]; then
  CARGO_TARGET_DIR=target/remote cargo build --release --quiet --features remote
  STEPWISE=target/remote/release/stepwise
fi
wheres=(local remote)
if [ -n "${FUSED:-}" ]; then
  # Built after the plain binary, which it replaces in release/; burn is compiled once more
  # with the feature, the crates below it are shared.
  cp "$STEPWISE" target/remote/stepwise-plain
  CARGO_TARGET_DIR=target/remote cargo build --release --quiet --features remote,burn/fusion
  cp target/remote/release/stepwise target/remote/stepwise-fused
  STEPWISE=target/remote/stepwise-plain
  wheres=(local remote fused)
fi
out=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$out"' EXIT

openssl rand -hex 32 > "$out/token" 2>/dev/null || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$out/token"
case $transport in
  websocket) listen=(--transport websocket --port 0) ;;
  iroh) listen=(--transport iroh --no-relay --port $((20000 + RANDOM % 20000)) --identity "$out/key") ;;
  *) echo "TRANSPORT is websocket or iroh" >&2; exit 2 ;;
esac
"$STEPWISE" serve --device flex --token-file "$out/token" "${listen[@]}" > "$out/server.log" 2>&1 &
server=$!
for _ in $(seq 600); do
  grep -q '^connect with' "$out/server.log" && break
  kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
address=$(sed -n 's/^connect with: --device remote --remote //p' "$out/server.log")
echo "server: $(head -1 "$out/server.log"), at $address" >&2

for round in $(seq "$rounds"); do
  for workload in "${workloads[@]}"; do
    order=("${wheres[@]}")
    # Alternate the order so that neither side always runs on a warmer machine.
    [ $((round % 2)) -eq 0 ] && order=($(printf '%s\n' "${wheres[@]}" | tac))
    for where in "${order[@]}"; do
      echo "round $round/$rounds: $workload $where" >&2
      case $where in
        local) "$STEPWISE" bench --workload "$workload" --device flex --json ;;
        remote) "$STEPWISE" bench --workload "$workload" --remote "$address" --token-file "$out/token" --json ;;
        fused) target/remote/stepwise-fused bench --workload "$workload" --remote "$address" --token-file "$out/token" --json ;;
      esac > "$out/$round-$workload-$where.json"
    done
  done
done

"$python" - "$out" "${wheres[@]}" -- "${workloads[@]}" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
wheres, workloads = sys.argv[2:sys.argv.index("--")], sys.argv[sys.argv.index("--") + 1:]
def median(workload, where):
    """Median ms per step, and the rounds."""
    ms = [json.load(open(path))["workloads"][0]["ms_per_step"]
          for path in glob.glob(os.path.join(out, f"*-{workload}-{where}.json"))]
    return statistics.median(ms), len(ms)
print(f"{'workload':<8} {'client':<7} {'ms/step':>9} {'/local':>7} {'overhead ms':>12} {'rounds':>7}")
for workload in workloads:
    local, _ = median(workload, "local")
    for where in wheres:
        ms, rounds = median(workload, where)
        print(f"{workload:<8} {where:<7} {ms:>9.4f} {ms / local:>7.2f} {ms - local:>12.4f} {rounds:>7}")
PY

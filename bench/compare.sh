#!/usr/bin/env bash
# Runs stepwise and the NumPy and PyTorch references side by side, ROUNDS times (default 3),
# each workload in a process of its own (so peak RSS is the workload's), the order of the
# three rotating from round to round; then prints per workload each one's median and the
# ratio stepwise/peer (min, median, max over the rounds); then, with pandas, bench/ingest.sh.
#
#   bench/compare.sh [ROUNDS]
#
# PYTHON: a Python with numpy, torch and pandas (default python3; a peer it lacks is skipped).
# INGEST_ROWS: the CSV sizes bench/ingest.sh loads (default 10000 100000 1000000 5000000; none: skip it).
# STEPWISE: the binary to measure (default: `cargo build --release`, then target/release).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
python=${PYTHON:-python3}
if [ -z "${STEPWISE:-}" ]; then
  cargo build --release --quiet
  STEPWISE=${CARGO_TARGET_DIR:-target}/release/stepwise
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

peers=(stepwise)
for peer in numpy torch; do
  if "$python" -c "import $peer" 2>/dev/null; then
    peers+=("$peer")
  else
    echo "note: $python cannot import $peer; the $peer reference is skipped" >&2
  fi
done

run() { # peer workload
  case $1 in
    stepwise) "$STEPWISE" bench --workload "$2" --json ;;
    numpy) "$python" bench/numpy_reference.py --workload "$2" ;;
    torch) "$python" bench/torch_reference.py --workload "$2" ;;
  esac
}

for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  for workload in digits sine xor scale cnn; do
    count=${#peers[@]}
    for offset in $(seq 0 $((count - 1))); do
      peer=${peers[$(((offset + round) % count))]}
      [ "$peer-$workload" = numpy-cnn ] && continue # no hand-written convolution
      run "$peer" "$workload" > "$out/$round-$workload-$peer.json"
    done
  done
  for peer in "${peers[@]:1}"; do
    "$python" "bench/${peer}_reference.py" --matmul > "$out/$round-matmul-$peer.json"
  done
done

"$python" bench/summarize.py "$out"

# Loading a CSV, against pandas' read_csv (INGEST_ROWS: the sizes; none: skipped).
if "$python" -c "import pandas" 2>/dev/null; then
  echo
  read -r -a sizes <<< "${INGEST_ROWS-10000 100000 1000000 5000000}"
  if [ ${#sizes[@]} -gt 0 ] && [ "${sizes[0]}" != none ]; then
    STEPWISE=$STEPWISE PYTHON=$python bench/ingest.sh "$rounds" "${sizes[@]}"
  fi
else
  echo "note: $python cannot import pandas; the CSV-loading comparison (bench/ingest.sh) is skipped" >&2
fi

#!/usr/bin/env bash
# Loading a numeric CSV: stepwise against pandas' read_csv, on generated files of 21 columns
# (`stepwise bench --workload ingest --rows N` writes them), ROUNDS times each (default 3),
# the order of the two alternating; then the peak memory of `stepwise train` on each file.
# Prints one line per size: medians, and the ratio pandas/stepwise (above 1: stepwise faster).
#
#   bench/ingest.sh [ROUNDS] [ROWS ...]     (default rows: 10000 100000 1000000 5000000)
#
# PYTHON: a Python with pandas (default python3). STEPWISE: the binary (default: built here).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
shift || true
sizes=("${@:-10000 100000 1000000 5000000}")
read -r -a sizes <<< "${sizes[*]}"
python=${PYTHON:-python3}
if [ -z "${STEPWISE:-}" ]; then
  cargo build --release --quiet
  STEPWISE=${CARGO_TARGET_DIR:-target}/release/stepwise
fi
if ! "$python" -c "import pandas" 2>/dev/null; then
  echo "$python cannot import pandas: set PYTHON to a Python that can" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
for rows in "${sizes[@]}"; do
  csv="$work/rows-$rows.csv"
  "$STEPWISE" bench --workload ingest --rows "$rows" --csv "$csv" --json > /dev/null
  for round in $(seq "$rounds"); do
    echo "rows $rows, round $round/$rounds" >&2
    order=(stepwise pandas)
    [ $((round % 2)) = 0 ] && order=(pandas stepwise)
    for peer in "${order[@]}"; do
      started=$(now)
      case $peer in
        stepwise) "$STEPWISE" bench --workload ingest --csv "$csv" --json ;;
        pandas) "$python" bench/pandas_reference.py "$csv" ;;
      esac > "$work/$rows-$round-$peer.json"
      echo "$started $(now)" > "$work/$rows-$round-$peer.wall"
    done
  done
  # What `train` itself peaks at on the file (one epoch of the linear model, large batches).
  "$STEPWISE" train --dataset "$csv" --model linear --epochs 1 --batch-size 4096 --quiet \
    --out "$work/model-$rows" > /dev/null
  cp "$work/model-$rows/summary.json" "$work/$rows-train.json"
  rm -rf "$work/model-$rows" "$csv"
done

"$python" - "$work" "$rounds" "${sizes[@]}" <<'PY'
import json, statistics, sys
from pathlib import Path

work, rounds, sizes = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
MiB = 2**20
def median(rows, peer, read):
    return statistics.median(read(rows, r, peer) for r in range(1, rounds + 1))
def result(rows, r, peer):
    return json.loads((work / f"{rows}-{r}-{peer}.json").read_text())
def wall(rows, r, peer):
    start, end = map(float, (work / f"{rows}-{r}-{peer}.wall").read_text().split())
    return end - start

print(f"ingest: medians of {rounds} rounds. parse: the CSV into columns; ready: also split, encoded,")
print("standardised and on the device. ratio = pandas read_csv / stepwise (above 1: stepwise faster).")
print(f"{'rows':>9} {'MB':>7} | {'parse s':>7} {'ready s':>7} {'pandas':>7} {'ratio':>6} | {'process s':>9} "
      f"{'pandas':>7} {'ratio':>6} | {'s/M rows':>8} | {'train peak':>10} {'limit':>9} {'MiB/M rows':>10} "
      f"{'est/peak':>8} | {'pandas RSS':>10}")
for rows in sizes:
    first = result(rows, 1, "stepwise")
    parse = median(rows, "stepwise", lambda *a: result(*a)["parse_seconds"])
    load = median(rows, "stepwise", lambda *a: result(*a)["ready_seconds"])
    pandas_load = median(rows, "pandas", lambda *a: result(*a)["load_seconds"])
    process = median(rows, "stepwise", wall)
    pandas_process = median(rows, "pandas", wall)
    train = json.loads((work / f"{rows}-train.json").read_text())
    peak, estimate = train["peak_memory_bytes"], train["memory_estimate_bytes"]
    limit = 2.5 * first["data_bytes"] + 64 * MiB
    pandas_rss = median(rows, "pandas", lambda *a: result(*a)["peak_rss_bytes"])
    n = int(rows)
    print(f"{n:>9} {first['bytes'] / 1e6:>7.1f} | {parse:>7.3f} {load:>7.3f} {pandas_load:>7.3f} {pandas_load / load:>6.2f} | "
          f"{process:>9.3f} {pandas_process:>7.3f} {pandas_process / process:>6.2f} | {load * 1e6 / n:>8.3f} | "
          f"{peak / MiB:>6.1f} MiB {limit / MiB:>5.0f} MiB {peak / MiB * 1e6 / n:>10.1f} {estimate / peak:>8.2f} "
          f"| {pandas_rss / MiB:>6.1f} MiB")
PY

#!/usr/bin/env bash
# Prints the figures docs/data.md quotes for the built-in 2-D sets, from runs of the current
# binary, so they can be checked again after a change:
#   bench/readme-figures.sh [path/to/stepwise]
# Each line: the run, then the validation accuracy of the epoch it kept.
set -euo pipefail
stepwise="${1:-target/release/stepwise}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
runs=(
  "circles, MLP defaults|--dataset circles"
  "moons, MLP defaults|--dataset moons"
  "circles, linear|--dataset circles --model linear"
  "blobs, linear|--dataset blobs --model linear"
  "spiral, MLP defaults|--dataset spiral"
  "spiral, --hidden 32,32 --epochs 300|--dataset spiral --hidden 32,32 --epochs 300"
  "spiral3, --hidden 32,32 --epochs 300|--dataset spiral3 --hidden 32,32 --epochs 300"
)
for run in "${runs[@]}"; do
  name="${run%%|*}"
  read -r -a options <<< "${run#*|}"
  "$stepwise" train "${options[@]}" --quiet --out "$out/run" > /dev/null
  accuracy=$(python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['kept_metrics']['valid_accuracy'])" "$out/run/summary.json")
  echo "$name: kept valid accuracy $accuracy"
done

#!/usr/bin/env bash
# The reference runs: each built-in set and shape trained with fixed options, and a checksum of
# the metrics.csv each writes. A change that should not change what is learned (a refactor, a
# speed-up) must print the same lines before and after:
#   bench/reference-runs.sh path/to/old/stepwise > before; bench/reference-runs.sh > after
#   diff before after
set -euo pipefail
stepwise="${1:-target/release/stepwise}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
runs=(
  "iris|"
  "digits|--dataset digits"
  "sine|--dataset sine"
  "moons|--dataset moons"
  "xor-tanh|--dataset xor --activation tanh"
  "line-linear|--dataset line --model linear"
  "iris-tanh-nesterov-decay|--activation tanh --nesterov --weight-decay 0.001"
  "shapes-cnn|--dataset shapes --model cnn --epochs 20"
)
for run in "${runs[@]}"; do
  name="${run%%|*}"
  read -r -a options <<< "${run#*|}"
  "$stepwise" train "${options[@]}" --quiet --out "$out/$name" > /dev/null
  echo "$name $(sha256sum < "$out/$name/metrics.csv" | cut -c1-16) $(tail -n 1 "$out/$name/metrics.csv")"
done

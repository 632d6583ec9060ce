#!/usr/bin/env bash
# Draws an image folder to try `--model cnn` on pictures made outside stepwise: DIR/circle,
# DIR/square and DIR/triangle, N PNG pictures each (default 200), 28 to 39 pixels a side, a light
# shape of random size, place and colour on a dark ground of random colour. Needs rsvg-convert
# (Debian: librsvg2-bin). The same pictures every time (bash's RANDOM, seeded).
#
#   datasets/photos.sh DIR [N]
set -euo pipefail
dir=${1:?usage: datasets/photos.sh DIR [N]}
count=${2:-200}
mkdir -p "$dir/circle" "$dir/square" "$dir/triangle"
RANDOM=7
for i in $(seq 1 "$count"); do
  w=$((28 + RANDOM % 12)); h=$((28 + RANDOM % 12))
  ground="rgb($((RANDOM % 120)),$((RANDOM % 120)),$((RANDOM % 120)))"
  ink="rgb($((135 + RANDOM % 120)),$((135 + RANDOM % 120)),$((135 + RANDOM % 120)))"
  r=$((5 + RANDOM % 6))
  x=$((r + 1 + RANDOM % (w - 2 * r - 2))); y=$((r + 1 + RANDOM % (h - 2 * r - 2)))
  svg="<svg xmlns='http://www.w3.org/2000/svg' width='$w' height='$h'>"
  svg+="<rect width='$w' height='$h' fill='$ground'/>"
  echo "$svg<circle cx='$x' cy='$y' r='$r' fill='$ink'/></svg>" |
    rsvg-convert -o "$dir/circle/$i.png"
  echo "$svg<rect x='$((x - r))' y='$((y - r))' width='$((2 * r))' height='$((2 * r))' fill='$ink'/></svg>" |
    rsvg-convert -o "$dir/square/$i.png"
  echo "$svg<polygon points='$x,$((y - r)) $((x - r)),$((y + r)) $((x + r)),$((y + r))' fill='$ink'/></svg>" |
    rsvg-convert -o "$dir/triangle/$i.png"
done
echo "$dir: $((3 * count)) pictures in circle/, square/ and triangle/"

#!/usr/bin/env bash
# README command 1: installs what is missing, builds, generates a small
# synthetic IMOS GHRSST L3S-1d night collection in demo/, drills a point off
# Rottnest Island (Western Australia) out of it, prints the series and writes
# a PNG plot. Builds only the pixeldrill binary (not the tests or benchmark
# tools) and says how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
bash scripts/setup.sh
echo "== setup: $((SECONDS - started)) s"
step=$SECONDS
bash scripts/build.sh release pixeldrill
echo "== build of pixeldrill: $((SECONDS - step)) s"
bin=build/pixeldrill
step=$SECONDS
mkdir -p demo
if [ ! -d demo/collection/2024 ]; then
  echo "== generating demo/collection: one year of daily files on a 450 x 600 grid (--decimate 10)"
  "$bin" synth demo/collection --from 2024-01-01 --to 2024-12-31 --decimate 10
fi
echo "== drilling the SST time series at -32.0,114.6 (off Rottnest Island)"
"$bin" drill demo/collection --point -32.0,114.6 --celsius --min-quality 3 \
  -o demo/point.csv --plot demo/point.png
head -n 15 demo/point.csv
echo "..."
echo "== three stations in one pass, and the daily mean over a box"
printf 'id,lat,lon\nrottnest,-32.0,114.6\nalbany,-35.5,118.0\nsouthern_ocean,-47.0,142.0\n' \
  > demo/stations.csv
"$bin" drill demo/collection --stations demo/stations.csv --from 2024-06-01 --to 2024-06-03
"$bin" drill demo/collection --box -33,-31,113.5,115 --reduce mean --to 2024-01-05 --celsius
echo
echo "== data and drills: $((SECONDS - step)) s; demo total: $((SECONDS - started)) s"
echo "outputs: demo/point.csv (full series), demo/point.png (plot), demo/stations.csv"
echo "try:     $bin drill --help"

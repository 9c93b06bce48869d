#!/usr/bin/env bash
# Analysis along the drill: a 10-year point climatology + anomaly from the
# store against the plain drill of the same point and range, timed in the same
# run (median of N warm runs each). Prints a table; exits 1 if a run fails.
#
#   bench/analysis_bench.sh [--out DIR] [--runs N] [--decimate N]
#
# Uses build/pixeldrill; makes DIR/coll (2011-2020, synth) and DIR/store.zarr
# once and reuses them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/pixeldrill
out=/tmp/pixeldrill-analysis-bench
runs=5
decimate=50
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --decimate) decimate=$2; shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--runs N] [--decimate N]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
if [[ ! -f $out/coll.done ]]; then
  "$bin" synth "$out/coll" --from 2011-01-01 --to 2020-12-31 --decimate "$decimate" \
    --vars sea_surface_temperature,quality_level --threads 2 -q
  touch "$out/coll.done"
fi
if [[ ! -f $out/store.done ]]; then
  "$bin" convert "$out/coll" -o "$out/store.zarr" -q
  touch "$out/store.done"
fi

point="--point -32,115 --celsius --var sea_surface_temperature"
median() {  # median wall seconds of $runs runs of "$@"
  local times=()
  for ((i = 0; i < runs; ++i)); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null
    t1=$(date +%s.%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }
"$bin" drill "$out/store.zarr" $point > /dev/null  # warm the page cache
plain=$(median "$bin" drill "$out/store.zarr" $point)
clim=$(median "$bin" drill "$out/store.zarr" $point --climatology 2011-2020)
mhw=$(median "$bin" drill "$out/store.zarr" $point --climatology 2011-2020 --mhw --gapfill 2)
agg=$(median "$bin" drill "$out/store.zarr" $point --aggregate month)
rows=$("$bin" drill "$out/store.zarr" $point | wc -l)
echo "10-year point from the store ($((rows - 1)) days, --decimate $decimate, median of $runs warm runs)"
printf '%-52s %8s %6s\n' "command" "seconds" "ratio"
printf '%-52s %8.3f %6s\n' "drill STORE --point" "$plain" "1.00"
printf '%-52s %8.3f %6.2f\n' "drill STORE --point --climatology 2011-2020" "$clim" "$(ratio "$clim" "$plain")"
printf '%-52s %8.3f %6.2f\n' "drill STORE --point --climatology 2011-2020 --mhw" "$mhw" "$(ratio "$mhw" "$plain")"
printf '%-52s %8.3f %6.2f\n' "drill STORE --point --aggregate month" "$agg" "$(ratio "$agg" "$plain")"

#!/usr/bin/env bash
# Peak memory of large station drills (issue #10 item 12, docs/reliability.md):
# 100,000 stations x {1 month, 1 year, YEARS years} through the store and the
# index, written to /dev/null and to a CSV file, with the default block budget
# (drill/block_drill.h) and, for comparison, one block (the whole result held,
# as before streaming). Prints peak RSS (MB, /usr/bin/time's %M) and wall
# seconds per case: with blocks RSS stays flat as the days grow.
#
#   bash bench/stream_memory.sh [BUILD_DIR]
#   YEARS=5 STATIONS=100000 WHOLE_UP_TO=400 WORK=/tmp/sb KEEP=1 bash bench/stream_memory.sh
#   RANKS=2 SOURCES=zarr RANGES=last YEARS=3 STATIONS=10000 bash bench/stream_memory.sh
#
# RANKS=N runs every drill under `mpirun -np N` (OpenMPI), each rank timed on
# its own: "peak MB" is rank 0's (it gathers each block and writes), "ranks
# MB" every rank's. SOURCES (default "zarr pdx") and RANGES=last (only the
# YEARS range) shorten a run.
#
# The collection is `synth --decimate 30` (150 x 200 pixels, sst and
# quality_level, no gaps) from 2015-01-01, so the stations share pixels; the
# drill's cost is in its rows, not in reading. WHOLE_UP_TO: the largest
# number of days also run as one block (the unstreamed memory grows with it).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bin="$build/pixeldrill"
YEARS=${YEARS:-5}
STATIONS=${STATIONS:-100000}
WHOLE_UP_TO=${WHOLE_UP_TO:-31}
RANKS=${RANKS:-0}
SOURCES=${SOURCES:-zarr pdx}
work="${WORK:-$(mktemp -d /tmp/pixeldrill-stream-bench-XXXXXX)}"
trap '[ -z "${KEEP:-}" ] && rm -rf "$work"' EXIT

coll="$work/coll"
last=$(date -u -d "2015-01-01 + $YEARS years - 1 day" +%F)
if [ ! -d "$coll" ]; then
  nice -n 19 "$bin" synth "$coll" --decimate 30 --from 2015-01-01 --to "$last" \
    --vars sea_surface_temperature,quality_level --no-gaps -q
fi
[ -f "$work/coll.pdx" ] || nice -n 19 "$bin" index "$coll" -o "$work/coll.pdx" >/dev/null
[ -d "$work/coll.zarr" ] || nice -n 19 "$bin" convert "$coll" -o "$work/coll.zarr" -q
if [ ! -f "$work/st.csv" ]; then
  /usr/bin/python3 - "$work/st.csv" "$STATIONS" <<'PY'
import random, sys
random.seed(12)
with open(sys.argv[1], "w") as f:
    f.write("id,lat,lon\n")
    for i in range(int(sys.argv[2])):
        f.write(f"S{i},{random.uniform(-60, 10):.4f},{random.uniform(80, 180):.4f}\n")
PY
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $STATIONS stations;" \
  "$([ "$RANKS" -gt 0 ] && echo "mpirun -np $RANKS" || echo "one process")"
printf '%-6s %-10s %6s %12s %-9s %-10s %10s %8s %s\n' source range days rows output blocks \
  "peak MB" "wall s" "bytes out"
# Rank R (0 without mpirun) writes its peak RSS and wall time to time.txt.R.
timed=(sh -c 'out=$1; shift; exec /usr/bin/time -o "$out.${OMPI_COMM_WORLD_RANK:-0}" -f "%M %e" "$@"'
  sh "$work/time.txt")
launcher=()
if [ "$RANKS" -gt 0 ]; then
  launcher=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe
    --bind-to none -np "$RANKS")
fi
run_case() {  # SOURCE RANGE_NAME TO DAYS OUTPUT BUDGET
  local src=$1 name=$2 to=$3 days=$4 out=$5 budget=$6 target label
  if [ "$out" = file ]; then target="$work/out.csv"; else target=/dev/null; fi
  label=$([ "$budget" = default ] && echo default || echo "one")
  local env=(PIXELDRILL_PROGRESS=0)
  [ "$budget" = whole ] && env+=(PIXELDRILL_DRILL_BLOCK_ROWS=1000000000000)
  rm -f "$work"/time.txt.*
  env "${env[@]}" "${launcher[@]}" "${timed[@]}" nice -n 19 "$bin" drill \
    "$work/coll.$src" --stations "$work/st.csv" --from 2015-01-01 --to "$to" -o "$target" \
    >/dev/null 2>&1 || true
  local stats ranks=""
  stats=$(tail -1 "$work/time.txt.0")
  if [ "$RANKS" -gt 0 ]; then
    for ((r = 0; r < RANKS; r++)); do ranks+=" $(($(tail -1 "$work/time.txt.$r" | cut -d' ' -f1) / 1024))"; done
    ranks=" (ranks MB:$ranks)"
  fi
  local kb=${stats% *} wall=${stats#* } size=0
  [ "$out" = file ] && size=$(stat -c %s "$target") && rm -f "$target"
  printf '%-6s %-10s %6s %12s %-9s %-10s %10.0f %8s %s%s\n' "$src" "$name" "$days" \
    "$((days * STATIONS))" "$out" "$label" "$((kb / 1024))" "$wall" "$size" "$ranks"
}
ranges=("1-month 2015-01-31 31" "1-year 2015-12-31 365" "$YEARS-years $last $(( ( $(date -u -d "$last" +%s) - $(date -u -d 2015-01-01 +%s) ) / 86400 + 1 ))")
[ "${RANGES:-}" = last ] && ranges=("${ranges[2]}")
for src in $SOURCES; do
  for r in "${ranges[@]}"; do
    read -r name to days <<<"$r"
    for out in devnull file; do
      run_case "$src" "$name" "$to" "$days" "$out" default
    done
    if [ "$days" -le "$WHOLE_UP_TO" ]; then run_case "$src" "$name" "$to" "$days" devnull whole; fi
  done
done

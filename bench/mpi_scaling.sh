#!/usr/bin/env bash
# Strong scaling of `mpirun -np N pixeldrill convert|index|drill` (docs/scaling.md):
# the same job on 1, 2 and 4 ranks (4 oversubscribes a 2-core machine), wall
# seconds, parallel efficiency T1 / (N * TN), and bytes read per rank (rchar of
# /proc/self/io, what each process read through read(2)/pread(2), page cache or not).
#
#   bash bench/mpi_scaling.sh [BUILD_DIR]
#   DAYS=60 DECIMATE=5 STATIONS=1000 RANKS="1 2 4" bash bench/mpi_scaling.sh
#   JOBS="convert-1block" RANKS="1 2" bash bench/mpi_scaling.sh   # some measurements only
#
# JOBS (default all): convert (15-day time blocks: 8 blocks), convert-1block (every day in
# one time block: ranks share it by spatial chunk rows), index, drill, drill-nc.
#
# On a machine with fewer cores than ranks, wall time cannot show a speed-up;
# CPU seconds per rank can: they show whether work is split or repeated.
# Prints the machine's load average before each measurement: on a shared
# machine other jobs take cores, so read the figures with it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bin="$build/pixeldrill"
DAYS=${DAYS:-120}
DECIMATE=${DECIMATE:-5}
STATIONS=${STATIONS:-1000}
RANKS=${RANKS:-"1 2 4"}
JOBS=${JOBS:-"convert convert-1block index drill drill-nc"}
wanted() { [[ " $JOBS " == *" $1 "* ]]; }
work="${WORK:-$(mktemp -d /tmp/pixeldrill-mpi-bench-XXXXXX)}"
trap '[ -z "${KEEP:-}" ] && rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
export PIXELDRILL_RANK_STATS=1
# Stores and NetCDF outputs say when they were made: fixed, so runs compare byte for byte.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764633600}

coll="$work/coll"
last=$(date -u -d "2020-01-01 + $((DAYS - 1)) days" +%F)
if [ ! -d "$coll" ]; then
  "$bin" synth "$coll" --from 2020-01-01 --to "$last" --decimate "$DECIMATE" --seed 5 -q \
    --vars sea_surface_temperature,quality_level
fi
# Stations spread over the grid's extent (lat -69..19, lon 71..189).
/usr/bin/python3 - "$STATIONS" > "$work/stations.csv" <<'EOF'
import random, sys
random.seed(1)
print("id,lat,lon")
for i in range(int(sys.argv[1])):
    print(f"S{i},{random.uniform(-69, 19):.3f},{random.uniform(71, 189):.3f}")
EOF
"$bin" index "$coll" -o "$work/c.pdx" 2>/dev/null
files=$(find "$coll" -name '*.nc' | wc -l)
bytes=$(du -sb "$coll" | cut -f1)
echo "collection: $files files, $((bytes / 1000000)) MB, decimate $DECIMATE; $STATIONS stations; $(nproc) cores"

# Every output must be the same bytes whatever the number of ranks.
check() {
  local name=$1 n=$2 file=$3
  if [ "$n" = 1 ] || [ ! -e "$work/ref-$name" ]; then
    rm -rf "$work/ref-$name"
    cp -r "$file" "$work/ref-$name"
  elif ! diff -rq "$work/ref-$name" "$file" > /dev/null; then
    echo "$name: $n ranks wrote different bytes than 1" >&2
    exit 1
  fi
}

# run NAME RANKS CMD...: wall seconds and per-rank rchar from the rank-stats lines.
declare -A T1 C1
run() {
  local name=$1 n=$2
  shift 2
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  local start end log="$work/$name-$n.log"
  start=$(date +%s.%N)
  if [ "$n" = 1 ]; then
    "$@" > /dev/null 2> "$log"
  else
    mpirun --oversubscribe --bind-to none -np "$n" "$@" > /dev/null 2> "$log"
  fi
  end=$(date +%s.%N)
  local secs
  secs=$(echo "$end - $start" | bc -l)
  [ "$n" = 1 ] && T1[$name]=$secs
  # Per rank: MB read and CPU seconds. CPU efficiency = CPU of 1 rank / CPU of all
  # ranks (1.0: no work repeated, no overhead); "dedicated" = the busiest rank's CPU
  # seconds over its threads: the wall time on otherwise idle cores.
  local stats
  stats=$(grep '^rank-stats' "$log" | sed -E 's/.*rank=([0-9]+).*cpu=([0-9.]+) rchar=([0-9]+).*/\1 \2 \3/' | sort -n)
  local per_rank cpu_sum cpu_max
  per_rank=$(echo "$stats" | awk '{printf "%s%.1f", (NR>1?" ":""), $3/1e6}')
  cpu_sum=$(echo "$stats" | awk '{s+=$2} END {printf "%.2f", s}')
  cpu_max=$(echo "$stats" | awk '$2>m {m=$2} END {printf "%.2f", m}')
  [ "$n" = 1 ] && C1[$name]=$cpu_sum
  local threads=$(( $(nproc) / n )); [ "$threads" -lt 1 ] && threads=1
  printf "%-8s %d ranks  wall %7.2f s  cpu %7.2f s (max rank %6.2f)  cpu-eff %4.2f  dedicated %6.2f s  MB read per rank: %s  (load %s)\n" \
    "$name" "$n" "$secs" "$cpu_sum" "$cpu_max" "$(echo "${C1[$name]} / $cpu_sum" | bc -l)" \
    "$(echo "$cpu_max / $threads" | bc -l)" "$per_rank" "$load"
}

for n in $RANKS; do
  wanted convert || break
  rm -rf "$work/s.zarr"
  run convert "$n" "$bin" convert "$coll" -o "$work/s.zarr" -q --chunks 15,64,64
  check convert "$n" "$work/s.zarr"
done
for n in $RANKS; do
  wanted convert-1block || break
  rm -rf "$work/s1.zarr"
  run convert-1block "$n" "$bin" convert "$coll" -o "$work/s1.zarr" -q --chunks 366,64,64
  check convert-1block "$n" "$work/s1.zarr"
done
for n in $RANKS; do
  wanted index || break
  run index "$n" "$bin" index "$coll" -o "$work/i.pdx" --full
  check index "$n" "$work/i.pdx"
done
for n in $RANKS; do
  wanted drill || break
  run drill "$n" "$bin" drill "$work/c.pdx" --stations "$work/stations.csv" -o "$work/d.csv"
  check drill "$n" "$work/d.csv"
done
for n in $RANKS; do
  wanted drill-nc || break
  run drill-nc "$n" "$bin" drill "$coll" --stations "$work/stations.csv" -o "$work/d.csv" \
    --from 2020-01-01 --to "$last"
  check drill-nc "$n" "$work/d.csv"
done

#!/bin/bash
# Issue #11 asks to measure HDF5's ROS3 driver against pixeldrill's own
# virtual file driver for indexing remote files: both read the same files
# from Debian nginx (optionally through the delaying proxy), and nginx's
# access log counts the requests and bytes each one made.
#
#   bench/ros3_vs_vfd.sh COLLECTION [--rtt-ms MS] [--vars LIST]
#
# ROS3 runs in Debian's /usr/bin/python3 (h5py, bench/ros3_index.py), one
# file after the other as HDF5 allows; pixeldrill runs `index --processes 1`
# (the same one-at-a-time reading) and then its default.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PIXELDRILL:-$HERE/build/pixeldrill}
COLL=$1; shift
RTT=0; VARS=sea_surface_temperature,quality_level
while [ $# -gt 0 ]; do
  case $1 in
    --rtt-ms) RTT=$2; shift 2 ;;
    --vars) VARS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=$(mktemp -d /tmp/pixeldrill-ros3.XXXXXX)
. "$HERE/bench/local_servers.sh"
trap 'bench_servers_stop; rm -rf "$OUT"' EXIT
NGINX_ACCESS_LOG=$OUT/access.log start_nginx "$COLL"
BASE=http://127.0.0.1:$NG
[ "$RTT" != 0 ] && BASE=$(delay_proxy "$BASE" "$RTT")
find "$COLL" -name '*.nc' | sort | sed "s|^$COLL|$BASE|" > "$OUT/urls.txt"
NFILES=$(wc -l < "$OUT/urls.txt")
now() { date +%s.%N; }
# requests and bytes nginx logged since the last call (it runs in $(...),
# so the line count it has reached is kept in a file)
echo 0 > "$OUT/lines"
logged() {
  sleep 0.2
  local seen total; seen=$(cat "$OUT/lines"); total=$(wc -l < "$OUT/access.log")
  tail -n +"$((seen + 1))" "$OUT/access.log" | head -n "$((total - seen))" |
    awk -v n="$NFILES" '{r++; b+=$10} END {printf "%.2f | %.3f", r/n, b/n/1e6}'
  echo "$total" > "$OUT/lines"
}
echo "## Indexing $NFILES files over HTTP (+$RTT ms per request), variables $VARS"
echo
echo "| reader | requests/file | MB/file | seconds |"
echo "|---|---|---|---|"
T0=$(now); /usr/bin/python3 "$HERE/bench/ros3_index.py" "$VARS" < "$OUT/urls.txt" > "$OUT/ros3.txt"; T1=$(now)
echo "| HDF5 ROS3 (h5py), one file at a time | $(logged) | $(echo "$T1 - $T0" | bc) |"
for p in 1 16; do
  T0=$(now); "$BIN" index "@$OUT/urls.txt" -o "$OUT/p$p.pdx" --vars "$VARS" --processes $p 2>/dev/null; T1=$(now)
  echo "| pixeldrill VFD + block cache, index --processes $p | $(logged) | $(echo "$T1 - $T0" | bc) |"
done
echo
echo "(ROS3 listed $(cat "$OUT/ros3.txt") chunks.)"
bench_servers_stop

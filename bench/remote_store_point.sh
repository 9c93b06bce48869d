#!/bin/bash
# A point drill from a store served over HTTP (Debian nginx), with and without
# a delay of MS milliseconds on every request and new connection
# (bench/delay_relay.py, Debian /usr/bin/python3: tc netem is not available on
# these machines).
# Prints seconds (median of RUNS) and requests; each CSV is compared with the
# local drill of the same store first.
#
#   bench/remote_store_point.sh [STORE] [LAT,LON] [MS] [RUNS]
# STORE defaults to bench/cache/millisecond-30y/c.zarr (bench/millisecond.sh makes it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PIXELDRILL:-$HERE/build/pixeldrill}
STORE=$(realpath "${1:-$HERE/bench/cache/millisecond-30y/c.zarr}")
POINT=${2:--32.01,114.99}
MS=${3:-50}
RUNS=${4:-5}
[ -d "$STORE" ] || { echo "no store at $STORE (run bench/millisecond.sh --prepare-only)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/pixeldrill-remote-store.XXXXXX)
. "$HERE/bench/local_servers.sh"
trap 'bench_servers_stop; rm -rf "$OUT"' EXIT
start_nginx "$(dirname "$STORE")" 2
PROXY=$(delay_proxy "http://127.0.0.1:$NG" "$MS")

"$BIN" drill "$STORE" --point "$POINT" > "$OUT/ref.csv"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # $1 label, $2 source
  local times=() req=""
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    PIXELDRILL_STATS=1 "$BIN" drill "$2" --point "$POINT" > "$OUT/out.csv" 2> "$OUT/err.txt"
    t1=$(date +%s.%N)
    cmp -s "$OUT/out.csv" "$OUT/ref.csv" || { echo "FAILED: $1 differs from the local drill" >&2; exit 1; }
    times+=("$(echo "$t1 - $t0" | bc)")
    req=$(sed -n 's/^remote: \([0-9]*\) requests.*/\1/p' "$OUT/err.txt")
  done
  printf '| %s | %s | %s |\n' "$1" "$(printf '%s\n' "${times[@]}" | median)" "${req:--}"
}
echo "Store $STORE, point $POINT, $(wc -l < "$OUT/ref.csv") rows, median of $RUNS runs"
echo
echo "| source | seconds | requests |"
echo "|---|---|---|"
measure "local folder" "$STORE"
measure "nginx HTTP" "http://127.0.0.1:$NG/$(basename "$STORE")"
measure "nginx HTTP + $MS ms per request" "$PROXY/$(basename "$STORE")"

#!/bin/bash
# `convert` from a remote collection: the store made from files served by
# Debian nginx through the delaying proxy (tests/support/fault_proxy.py, one
# added delay per request, run by Debian /usr/bin/python3), against the same
# convert of the local files. Every remote store's chunks are compared with
# the local store's before its time is reported.
#
#   bench/remote_convert.sh [--days N] [--decimate N] [--rtt-ms MS] [--out DIR]
#
# With --out pointing at a folder of an earlier run (or of bench/remote.sh,
# same layout: DIR/coll), the collection is reused.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PIXELDRILL:-$HERE/build/pixeldrill}
DAYS=24; DECIMATE=1; RTT=50; OUT=$(mktemp -d /tmp/pixeldrill-remote-convert.XXXXXX)
while [ $# -gt 0 ]; do
  case $1 in
    --days) DAYS=$2; shift 2 ;;
    --decimate) DECIMATE=$2; shift 2 ;;
    --rtt-ms) RTT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
. "$HERE/bench/local_servers.sh"
trap bench_servers_stop EXIT
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
traffic() { sed -n 's/^remote: \([0-9]*\) requests ([0-9]* retried), \([0-9.]*\) MB.*/\1 \2/p' "$1"; }

COLL=$OUT/coll
if [ ! -d "$COLL" ]; then
  TO=$(date -u -d "2024-01-01 + $((DAYS - 1)) days" +%F)
  "$BIN" synth "$COLL" --from 2024-01-01 --to "$TO" --decimate "$DECIMATE" --no-gaps -q \
    --vars sea_surface_temperature,quality_level,sst_dtime,l2p_flags,sses_bias,sses_standard_deviation
fi
NFILES=$(find "$COLL" -name '*.nc' | wc -l)
start_nginx "$COLL"
PROXY=$(delay_proxy "http://127.0.0.1:$NG" "$RTT")
find "$COLL" -name '*.nc' | sort | sed "s|^$COLL|$PROXY|" > "$OUT/urls-delayed.txt"
URLS=@$OUT/urls-delayed.txt

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 |"); }
# Same chunks and array metadata as the local store (provenance aside).
same_store() {
  diff -rq -x .pixeldrill "$OUT/local.zarr" "$1" | grep -v -e ' and .*/\.zattrs differ$' \
    -e '/\.zmetadata differ$' | grep -q . && { echo "FAILED: $1 differs from the local store" >&2; exit 1; }
  for f in "$OUT/local.zarr"/*/.zattrs; do
    cmp -s "$f" "$1/${f#"$OUT/local.zarr/"}" || { echo "FAILED: $1: $f differs" >&2; exit 1; }
  done
}
# $1 label, $2 source, $3 store name, $4 extra flags
convert_row() {
  rm -rf "${OUT:?}/$3"
  T0=$(now); PIXELDRILL_STATS=1 "$BIN" convert "$2" -o "$OUT/$3" $4 >/dev/null 2>"$OUT/log.txt"; T1=$(now)
  same_store "$OUT/$3"
  read -r req mb < <(traffic "$OUT/log.txt")
  row "$1" "$req" "$mb" "$(secs "$T0" "$T1")"
}

rm -rf "$OUT/local.zarr"
T0=$(now); "$BIN" convert "$COLL" -o "$OUT/local.zarr" -q; T1=$(now)
row "convert, local folder" "-" "-" "$(secs "$T0" "$T1")"
T0=$(now); "$BIN" index "$URLS" -o "$OUT/rc.pdx" --full --vars sea_surface_temperature,quality_level \
  2>"$OUT/log.txt"; T1=$(now)
read -r req mb < <(traffic "$OUT/log.txt")
row "index --vars sea_surface_temperature,quality_level, +${RTT} ms/request" "$req" "$mb" "$(secs "$T0" "$T1")"
convert_row "convert INDEX (remote files), +${RTT} ms/request" "$OUT/rc.pdx" rc.zarr ""
convert_row "convert INDEX, +${RTT} ms/request, --threads 8" "$OUT/rc.pdx" rc8.zarr "--threads 8"
convert_row "convert @urls.txt (indexed in memory, one process), +${RTT} ms/request" "$URLS" ru.zarr ""

echo "## convert from a remote collection ($NFILES files, --decimate $DECIMATE, SST + quality_level)"
echo
echo "Round trips added by fault_proxy delay:$RTT per request (tc netem is not permitted here)."
echo
echo "| what | requests | MB | seconds |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"

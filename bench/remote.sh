#!/bin/bash
# Remote benchmark: index build and point/box drills over HTTP (Debian nginx)
# and S3 (moto_server), against the same drill on local disk and against
# xarray + fsspec (Debian /usr/bin/python3) reading pixeldrill's kerchunk refs
# over HTTP. Round trips are added with tc netem in a network namespace when
# the kernel allows it, otherwise with bench/delay_relay.py (the delay added
# to every request and new connection; an approximation, said so below).
#
#   bench/remote.sh [--days N] [--decimate N] [--rtt-ms MS] [--out DIR]
#                   [--synth-vars LIST] [--http-only]
#
# --synth-vars: the variables the collection is made with (default the six of
# docs/remote.md); --http-only: nginx rows only (no moto upload, no
# --processes sweep), for collections too big to copy into moto's memory.
#
# Prints a Markdown table; every drill's CSV is compared with the local one
# before its time is reported. Drill times: the median of RUNS runs (default 3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${PIXELDRILL:-$HERE/build/pixeldrill}
DAYS=4; DECIMATE=1; RTT=50; OUT=$(mktemp -d /tmp/pixeldrill-remote-bench.XXXXXX)
SYNTH_VARS=sea_surface_temperature,quality_level,sst_dtime,l2p_flags,sses_bias,sses_standard_deviation
HTTP_ONLY=0
while [ $# -gt 0 ]; do
  case $1 in
    --days) DAYS=$2; shift 2 ;;
    --decimate) DECIMATE=$2; shift 2 ;;
    --rtt-ms) RTT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --synth-vars) SYNTH_VARS=$2; shift 2 ;;
    --http-only) HTTP_ONLY=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
. "$HERE/bench/local_servers.sh"
cleanup() { bench_servers_stop; }
trap cleanup EXIT
now() { date +%s.%N; }

COLL=$OUT/coll
if [ ! -d "$COLL" ]; then
  TO=$(date -u -d "2024-01-01 + $((DAYS - 1)) days" +%F)
  "$BIN" synth "$COLL" --from 2024-01-01 --to "$TO" --decimate "$DECIMATE" --no-gaps -q \
    --vars "$SYNTH_VARS"
fi
NFILES=$(find "$COLL" -name '*.nc' | wc -l)
BYTES=$(du -sb "$COLL" | cut -f1)

start_nginx "$COLL"
# moto
if [ "$HTTP_ONLY" = 0 ]; then
MP=$(port)
moto_server -H 127.0.0.1 -p "$MP" >"$OUT/moto.log" 2>&1 & BENCH_PIDS+=($!)
wait_port "$MP"
export AWS_ENDPOINT_URL=http://127.0.0.1:$MP AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
# Upload with the image's python3 (boto3), not Debian's.
env -u PYTHONPATH python3 - "$COLL" <<'PY'
import boto3, os, sys
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
s3.create_bucket(Bucket="sst")
root = sys.argv[1]
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        s3.upload_file(p, "sst", "ghrsst/" + os.path.relpath(p, root))
PY
fi

urls() { find "$COLL" -name '*.nc' | sort | sed "s|^$COLL|$1|" > "$OUT/urls-$2.txt"; echo "@$OUT/urls-$2.txt"; }

# Ocean pixels of the synthetic land mask at every --decimate (-32,115 is land at full resolution).
POINT="--point -32,114.5 --var sea_surface_temperature"
BOX="--box -32.75,-32.25,114.25,114.75 --var sea_surface_temperature"
ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }
traffic() { sed -n 's/^remote: \([0-9]*\) requests ([0-9]* retried), \([0-9.]*\) MB.*/\1 \2/p' "$1"; }

# Local reference.
T0=$(now); "$BIN" index "$COLL" -o "$OUT/local.pdx" --full 2>/dev/null; T1=$(now)
row "index, local disk" "$NFILES" "-" "-" "$(echo "$T1 - $T0" | bc)"
"$BIN" drill "$OUT/local.pdx" $POINT > "$OUT/point.ref.csv"
"$BIN" drill "$OUT/local.pdx" $BOX > "$OUT/box.ref.csv"
# Drill times are the median of $RUNS runs (one run varies by 10-25% on 2 shared cores).
RUNS=${RUNS:-3}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed_drill() {  # $1 output CSV, the rest: drill arguments; prints the median seconds
  local out=$1; shift
  for _ in $(seq "$RUNS"); do
    T0=$(now); "$BIN" drill "$@" >"$out" 2>>"$OUT/log.txt"; T1=$(now)
    echo "$T1 - $T0" | bc
  done | median
}
row "point via index, local disk" "$NFILES" "-" "-" "$(timed_drill /dev/null "$OUT/local.pdx" $POINT)"

bench_remote() {  # $1 label, $2 collection spec, $3 extra flags, $4 index name
  local idx="$OUT/$4.pdx" log="$OUT/log.txt"
  T0=$(now); PIXELDRILL_STATS=1 "$BIN" index "$2" -o "$idx" --full $3 2>"$log"; T1=$(now)
  read -r req mb < <(traffic "$log")
  row "index, $1" "$NFILES" "$(echo "scale=2; $req / $NFILES" | bc)" "$(echo "scale=3; $mb / $NFILES" | bc)" "$(echo "$T1 - $T0" | bc)"
  for q in point box; do
    local query=$POINT; [ $q = box ] && query=$BOX
    local secs; secs=$(timed_drill "$OUT/$q.out.csv" "$idx" $query $3)
    cmp -s "$OUT/$q.out.csv" "$OUT/$q.ref.csv" || { echo "FAILED: $1 $q differs from local" >&2; exit 1; }
    row "$q via index, $1" "$NFILES" "-" "-" "$secs"
  done
}
bench_remote "nginx HTTP" "$(urls "http://127.0.0.1:$NG" nginx)" "" http
[ "$HTTP_ONLY" = 0 ] && bench_remote "moto S3" "s3://sst/ghrsst/" "" s3
if unshare -n sh -c 'ip link set lo up && tc qdisc add dev lo root netem delay 1ms' 2>/dev/null; then
  NETEM="tc netem (not implemented in this script yet)"
else
  NETEM="tc netem not permitted here (no sch_netem); round trips added by bench/delay_relay.py: $RTT ms on every request and new connection"
fi
PROXY=$(delay_proxy "http://127.0.0.1:$NG" "$RTT")
bench_remote "nginx HTTP +${RTT} ms/request" "$(urls "$PROXY" delay)" "" delayed
# The same with one indexing process (the default for remote collections is
# several, each with its own HDF5: index --processes).
SWEEP="1 4 8 32"; [ "$HTTP_ONLY" = 1 ] && SWEEP=""
for n in $SWEEP; do
  T0=$(now); PIXELDRILL_STATS=1 "$BIN" index "$(urls "$PROXY" delay)" -o "$OUT/delayed-p$n.pdx" \
    --full --processes "$n" 2>"$OUT/log.txt"; T1=$(now)
  cmp -s "$OUT/delayed-p$n.pdx" "$OUT/delayed.pdx" || { echo "FAILED: --processes $n index differs" >&2; exit 1; }
  read -r req mb < <(traffic "$OUT/log.txt")
  row "index, nginx HTTP +${RTT} ms/request, --processes $n" "$NFILES" "$(echo "scale=2; $req / $NFILES" | bc)" "$(echo "scale=3; $mb / $NFILES" | bc)" "$(echo "$T1 - $T0" | bc)"
done
# Only the variables a user drills (index --vars): each variable left out is
# one request per file saved (its chunk B-tree sits beside its data).
VARS=sea_surface_temperature,quality_level
T0=$(now); PIXELDRILL_STATS=1 "$BIN" index "$(urls "$PROXY" delay)" -o "$OUT/delayed-vars.pdx" \
  --full --vars "$VARS" 2>"$OUT/log.txt"; T1=$(now)
read -r req mb < <(traffic "$OUT/log.txt")
row "index --vars $VARS, nginx HTTP +${RTT} ms/request" "$NFILES" "$(echo "scale=2; $req / $NFILES" | bc)" "$(echo "scale=3; $mb / $NFILES" | bc)" "$(echo "$T1 - $T0" | bc)"
"$BIN" drill "$OUT/delayed-vars.pdx" $POINT >"$OUT/point-vars.csv" 2>/dev/null
cmp -s "$OUT/point-vars.csv" "$OUT/point.ref.csv" || { echo "FAILED: the --vars index drills differently" >&2; exit 1; }

# xarray + fsspec over HTTP on pixeldrill's refs of an index (Debian python3):
# $1 label, $2 index whose URLs the refs name.
xarray_point() {
  "$BIN" refs "$2" -o "$OUT/refs.json" --combined 2>/dev/null
  T0=$(now)
  /usr/bin/python3 - "$OUT/refs.json" <<'PY' > "$OUT/xr.txt"
import sys, fsspec, xarray as xr
m = fsspec.get_mapper("reference://", fo=sys.argv[1], remote_protocol="http")
ds = xr.open_zarr(m, consolidated=False)
v = ds.sea_surface_temperature.sel(lat=-32, lon=114.5, method="nearest").load()
print(len(v))
PY
  T1=$(now)
  row "point, xarray+fsspec on refs over $1" "$NFILES" "-" "-" "$(echo "$T1 - $T0" | bc)"
}
xarray_point "nginx HTTP" "$OUT/http.pdx"
xarray_point "nginx HTTP +${RTT} ms/request" "$OUT/delayed.pdx"
# The default before 2026-12-07 (the index drill now keeps 64 in flight).
SECS=$(timed_drill "$OUT/point16.csv" "$OUT/delayed.pdx" $POINT --requests 16)
cmp -s "$OUT/point16.csv" "$OUT/point.ref.csv" || { echo "FAILED: --requests 16 point differs" >&2; exit 1; }
row "point via index, nginx HTTP +${RTT} ms/request, --requests 16" "$NFILES" "-" "-" "$SECS"

echo "## Remote benchmark ($NFILES files, $((BYTES / NFILES / 1000)) kB per file, --decimate $DECIMATE)"
echo
echo "$NETEM"
echo
echo "| what | files | requests/file | MB/file | seconds |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"

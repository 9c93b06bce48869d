#!/usr/bin/env bash
# Load benchmark of `pixeldrill serve` (not part of the test suite): wrk with
# random ocean points against a store and an index, 1..256 connections, RSS
# over a soak, and xarray answering the same points in one warm process.
#
#   bench/serve_load.sh [--years N] [--decimate N] [--seconds S] [--soak S] [--out DIR]
#   [--max-active N] (passed to serve) [--blosc-blocksize B] (passed to convert)
# Defaults: 2 years at --decimate 10 (450 x 600), 10 s per point of the curve,
# 60 s soak, convert's default blocks (32 KiB). The issue's setting: --years 10
# --soak 600; a store made for serving points: --blosc-blocksize 1460 (one
# float32 pixel's 365-day time chunk per block, docs/serve.md).
# Uses build/pixeldrill (bash scripts/build.sh release), wrk, /usr/bin/python3 (xarray).
set -euo pipefail
cd "$(dirname "$0")/.."
years=2 decimate=10 seconds=10 soak=60 out=bench/results/tmp/serve max_active=-1 blocksize=
while (($#)); do
  case "$1" in
    --years) years=$2; shift 2 ;;
    --decimate) decimate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --soak) soak=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --max-active) max_active=$2; shift 2 ;;
    --blosc-blocksize) blocksize=$2; shift 2 ;;
    *) echo "serve_load.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bin=$PWD/build/pixeldrill
mkdir -p "$out"
data="bench/cache/serve-y${years}-d${decimate}"
first=$((2024 - years + 1))
store="$data/store${blocksize:+-b$blocksize}.zarr"
if [ ! -d "$data/files" ]; then
  echo "== making $years year(s) at --decimate $decimate in $data" >&2
  "$bin" synth "$data/files" --decimate "$decimate" --from "$first-01-01" --to 2024-12-31 \
    --vars sea_surface_temperature,quality_level -q
fi
[ -f "$data/files.pdx" ] || "$bin" index "$data/files" -o "$data/files.pdx" >/dev/null
if [ ! -d "$store" ]; then
  echo "== converting $data/files to $store" >&2
  "$bin" convert "$data/files" -o "$store" ${blocksize:+--blosc-blocksize "$blocksize"} >/dev/null
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Dataset ids: "store" and "files" ("index" is reserved: /erddap/griddap/index.json).
"$bin" serve --dataset "store=$store" --dataset "files=$data/files.pdx" --port "$port" \
  --max-active "$max_active" \
  2>"$out/access.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/datasets" >/dev/null && break; sleep 0.1; done
if ! kill -0 $server 2>/dev/null; then
  echo "serve_load.sh: the server did not start:" >&2
  cat "$out/access.log" >&2
  exit 1
fi
base="http://127.0.0.1:$port"

# Random points with valid values in the last time step (ocean), chosen once.
points="$out/points.txt"
: >"$points"
/usr/bin/python3 -c "
import random
random.seed(12)
for _ in range(2000): print(f'{random.uniform(-69,19):.3f},{random.uniform(71,189):.3f}')" >"$out/candidates.txt"
while read -r p && [ "$(wc -l <"$points")" -lt 200 ]; do
  if curl -sf "$base/api/v1/datasets/store/drill?var=sea_surface_temperature&point=$p&from=2024-12-01" |
     awk -F, 'NR>1 && $5!="" {found=1} END {exit !found}'; then
    echo "$p" >>"$points"
  fi
done <"$out/candidates.txt"
echo "== $(wc -l <"$points") ocean points" >&2
if [ ! -s "$points" ]; then echo "serve_load.sh: no ocean point answered; see $out/access.log" >&2; exit 1; fi

run_wrk() {  # dataset connections seconds
  POINTS_FILE=$points PATH_PREFIX="/api/v1/datasets/$1/drill?var=sea_surface_temperature&point=" \
    wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${3}s" --timeout 10s -s bench/serve_load.lua "$base/" | grep '^RESULT'
}
rss() { awk '/VmRSS/ {print $2}' /proc/$server/status; }

{
  echo "# pixeldrill serve load: $years year(s), decimate $decimate, store $store, $(nproc) cores, --max-active $max_active, $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for c in 1 4 16 64 128 256; do
    echo "store connections=$c $(run_wrk store $c "$seconds") rss_kb=$(rss)"
  done
  # The index reads one chunk per file per request (seconds over years of files), and a
  # request runs to its end even when wrk has gone: more connections only leave a backlog
  # that delays the rows after it.
  for c in 1 4 16; do
    echo "files connections=$c $(run_wrk files $c "$seconds") rss_kb=$(rss)"
  done
  # Index requests still queued when wrk stopped run to their end: let them
  # finish, or the next rows' first requests wait behind them.
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{time_total}' "$base/api/v1/datasets")" \< 0.05 ] && break
    sleep 0.2
  done
  for c in 1 64; do
    echo "griddap-store connections=$c $(GRIDDAP=store run_wrk store $c "$seconds") rss_kb=$(rss)"
  done
  echo "xarray-in-process $(/usr/bin/python3 bench/serve_xarray.py "$store" "$points" "$seconds")"
  echo "# soak: store, 64 connections, $soak s; RSS (kB) every 10 s"
  POINTS_FILE=$points PATH_PREFIX="/api/v1/datasets/store/drill?var=sea_surface_temperature&point=" \
    wrk -t2 -c64 -d"${soak}s" --timeout 10s -s bench/serve_load.lua "$base/" >"$out/soak.txt" &
  w=$!
  samples=""
  while kill -0 $w 2>/dev/null; do samples="$samples $(rss)"; sleep 10; done
  echo "soak $(grep '^RESULT' "$out/soak.txt") rss_kb:$samples"
} | tee "$out/results.txt"
echo "access log lines: $(wc -l <"$out/access.log")" >&2
# Requests by HTTP status; the log itself is kept (gzipped) only when short:
# a 10-minute soak logs ~2 million lines (16 MB gzipped).
awk 'NF >= 6 && $1 ~ /^20/ {n[$(NF-2)]++} END {for (s in n) print "status " s ": " n[s] " requests"}' \
  "$out/access.log" | sort >"$out/access-summary.txt"
if [ "$(wc -l <"$out/access.log")" -lt 100000 ]; then gzip -f "$out/access.log"; else rm "$out/access.log"; fi

#!/usr/bin/env bash
# Issue #9's millisecond table in one run: bench/millisecond.sh [--runs N] [--points N]
# (see bench/millisecond.py). Builds first when the tools are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
for tool in pixeldrill store_drill_latency index_open_bench; do
  [ -x "$repo/build/$tool" ] || flock /tmp/pixeldrill-build.lock bash "$repo/scripts/build.sh" >&2
done
exec /usr/bin/python3 "$here/millisecond.py" "$@"

#!/usr/bin/env bash
# The benchmark: bench/run.sh [--quick | --smoke] [--out DIR] [more: --help]
# Generates (and caches under bench/cache/) synthetic collections with
# `pixeldrill synth`, checks every contender's answers against pixeldrill's,
# times them warm and cold next to the physical limits, and writes
# OUT/results.{json,csv}, OUT/report.md and docs/benchmarks.{md,png}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin=${PIXELDRILL_BIN:-$repo/build/pixeldrill}
bindir=$(dirname "$bin")
for tool in "$bin" "$bindir/nc_loop_drill" "$bindir/inflate_limit"; do
  if [ ! -x "$tool" ]; then
    if [ -n "${PIXELDRILL_BIN:-}" ]; then
      echo "bench/run.sh: $tool is not built" >&2
      exit 2
    fi
    echo "bench/run.sh: $tool missing, building" >&2
    bash "$repo/scripts/build.sh" >&2
    break
  fi
done
export PIXELDRILL_BIN=$bin
exec /usr/bin/python3 "$here/harness.py" "$@"

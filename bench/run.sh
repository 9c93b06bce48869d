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
missing() {
  for tool in "$bin" "$bindir/nc_loop_drill" "$bindir/inflate_limit"; do
    [ -x "$tool" ] || { echo "$tool"; return 0; }
  done
  return 1
}
# A concurrent build may be relinking a tool: give it a moment first.
for _ in 1 2 3 4 5 6 7 8 9 10; do missing >/dev/null || break; sleep 3; done
if tool=$(missing); then
  if [ -n "${PIXELDRILL_BIN:-}" ]; then
    echo "bench/run.sh: $tool is not built" >&2
    exit 2
  fi
  echo "bench/run.sh: $tool missing, building" >&2
  # Serialised with any other build of this tree.
  flock /tmp/pixeldrill-build.lock bash "$repo/scripts/build.sh" >&2
fi
export PIXELDRILL_BIN=$bin
exec /usr/bin/python3 "$here/harness.py" "$@"

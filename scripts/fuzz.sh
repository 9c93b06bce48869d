#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp, clang-14, ASan + UBSan) in
# build-fuzz/ and runs each for SECONDS (default 60) from the seed corpus in
# tests/fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/<target>/,
# crashes to build-fuzz/crashes/<target>/). Prints one line per target:
# executions, corpus size, crashes. Exit 1 when any target crashed.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
dir=build-fuzz
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPIXELDRILL_FUZZ=ON -DPIXELDRILL_TESTS=OFF
       -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
if command -v ccache >/dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}" CCACHE_NOHASHDIR=true
fi
[ -f "$dir/CMakeCache.txt" ] || cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in fuzz/*_fuzz.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi
cmake --build "$dir" -j "${FUZZ_JOBS:-2}" --target "${targets[@]}"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  work=$dir/corpus/$t
  crashes=$dir/crashes/$t
  mkdir -p "$work" "$crashes" "$seeds"
  log=$dir/$t.log
  stamp=$dir/$t.started
  touch "$stamp"
  rc=0
  "$dir/$t" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  found=$(find "$crashes" -type f -newer "$stamp" | wc -l)  # this run's findings only
  printf '%-24s %12s executions in %ss, corpus %s inputs, %s crash/leak/timeout files, exit %s\n' \
    "$t" "$execs" "$seconds" "$(find "$work" -type f | wc -l)" "$found" "$rc"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    tail -n 40 "$log"
  fi
done
exit $status

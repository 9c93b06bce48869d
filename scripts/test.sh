#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs every test in a
# release build and again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for flavour in release asan; do
  bash scripts/build.sh "$flavour"
  dir=build; [ "$flavour" = asan ] && dir=build-asan
  echo "== tests ($flavour)"
  (cd "$dir" && ctest --output-on-failure -j 2 --timeout 900) || status=1
done
exit $status

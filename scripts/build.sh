#!/usr/bin/env bash
# Configures and builds one flavour of pixeldrill: `build.sh` (release, in build/)
# or `build.sh asan` (AddressSanitizer + UBSan, in build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DPIXELDRILL_SANITIZE=ON) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release or asan)" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)"

#!/usr/bin/env bash
# Configures and builds one flavour of pixeldrill: `build.sh` (release, in build/)
# or `build.sh asan` (AddressSanitizer + UBSan, in build-asan/). Further
# arguments name the targets to build (default: everything, tests included),
# e.g. `build.sh release pixeldrill` for the binary alone.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DPIXELDRILL_SANITIZE=ON) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release or asan)" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# ccache (when installed) lets several work trees and flavours share compiled objects;
# base_dir makes paths relative so a second checkout hits the same cache entries.
if command -v ccache >/dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}" CCACHE_NOHASHDIR=true
fi
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
fi
cmake --build "$dir" "${targets[@]}" -j "$(nproc)"

#!/usr/bin/env bash
# Builds the Debian package: configures a release build without tests (build-package/),
# builds only the pixeldrill binary and runs CPack. Prints the .deb's path.
# Install it with `sudo apt install ./pixeldrill_*.deb` (pulls netCDF-C, HDF5, curl...).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${PIXELDRILL_PACKAGE_DIR:-build-package}
flags=(-DCMAKE_BUILD_TYPE=Release -DPIXELDRILL_TESTS=OFF -DPIXELDRILL_BENCH=OFF
       -DCMAKE_INSTALL_PREFIX=/usr)
command -v ninja >/dev/null && flags+=(-G Ninja)
if command -v ccache >/dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}" CCACHE_NOHASHDIR=true
fi
[ -f "$dir/CMakeCache.txt" ] || cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" --target pixeldrill -j "$(nproc)"
(cd "$dir" && cpack -G DEB >/dev/null)
deb=$(ls -t "$dir"/pixeldrill_*.deb | head -n 1)
echo "$deb"

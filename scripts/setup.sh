#!/usr/bin/env bash
# Installs the Debian packages pixeldrill builds, tests and benchmarks with.
# Idempotent: apt-get runs only when a package is missing.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  libnetcdf-dev libhdf5-dev netcdf-bin hdf5-tools
  libcurl4-openssl-dev zlib1g-dev libdeflate-dev libisal-dev libzstd-dev libblosc-dev
  nlohmann-json3-dev libcli11-dev libcsv-dev libboost-dev
  gnuplot-nox time
  python3-xarray python3-zarr python3-fsspec python3-h5py python3-netcdf4 python3-dask
  python3-numpy python3-pandas python3-matplotlib
  cdo nco
  nginx wrk chromium iproute2 python3-aiohttp
  libcpp-httplib-dev libtomlplusplus-dev
  libopenmpi-dev openmpi-bin
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# The web page of `pixeldrill serve` (web/): Leaflet + uPlot from npm, copied
# into web/dist; playwright-core drives Debian's chromium in its test. Node
# comes from Debian when no node/npm is installed yet.
if ! command -v npm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >&2
fi
web="$(dirname "$0")/../web"
if [ ! -f "$web/dist/index.html" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ] ||
   [ -n "$(find "$web/src" "$web/build.mjs" -newer "$web/dist/index.html" 2>/dev/null)" ]; then
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2 && npm run --silent build >&2)
fi

#!/usr/bin/env bash
# Item 14 of issue 10: looks for a NetCDF-4/HDF5 file whose damaged metadata
# makes HDF5 1.10.8 free an invalid pointer. Flips one byte at a time
# (xor 0xff, 0x01, 0x80) of FILE at offsets FROM..TO, runs Debian's `h5ls -r`
# with AddressSanitizer's allocator preloaded, and keeps every input that
# gets an ASan report as OUT/hit-OFFSET-XOR.nc (+ .txt). Uses /usr/bin/python3.
#   scripts/hdf5_flip_search.sh FILE FROM TO OUT
set -euo pipefail
src=$1 from=$2 to=$3 out=$4
asan=$(gcc -print-file-name=libasan.so)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for off in $(seq "$from" "$to"); do
  for x in 255 1 128; do
    cp "$src" "$work/f.nc"
    chmod u+w "$work/f.nc"
    /usr/bin/python3 -c "
f = open('$work/f.nc', 'r+b'); f.seek($off); b = f.read(1); f.seek($off); f.write(bytes([b[0] ^ $x]))"
    LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0 timeout 5 h5ls -r "$work/f.nc" >"$work/out.txt" 2>&1 || true
    if grep -q AddressSanitizer "$work/out.txt"; then
      cp "$work/f.nc" "$out/hit-$off-$x.nc"
      cp "$work/out.txt" "$out/hit-$off-$x.txt"
      echo "ASan report at offset $off xor $x: $(grep -m1 -o 'H5[A-Za-z_]*' "$work/out.txt" || true)"
    fi
  done
done

#!/usr/bin/python3
# Writes the seed corpora of the libFuzzer targets (fuzz/*_fuzz.cpp) into
# tests/fuzz/corpus/<target>/ with Debian's numcodecs and zlib, independent of
# pixeldrill's own encoders. The index reader's seeds are real index files,
# written by `pixeldrill index` (see docs/reliability.md).
import json
import os
import struct
import zlib

import numcodecs
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(here, target), exist_ok=True)
    with open(os.path.join(here, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# Zarr: .zarray text, NUL, one encoded chunk.
rng = np.random.default_rng(7)
arrays = {
    "f4": (rng.normal(290, 3, (6, 4, 5)).astype("<f4"), "<f4", "NaN"),
    "i2": (rng.integers(-300, 3000, (6, 4, 5)).astype("<i2"), "<i2", -32768),
    "i1": (rng.integers(0, 5, (6, 4, 5)).astype("|i1"), "|i1", -128),
}
compressors = {
    "lz4": numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE, 64),
    "zstd": numcodecs.Blosc("zstd", 3, numcodecs.Blosc.BITSHUFFLE),
    "plainzstd": numcodecs.Zstd(3),
    "none": None,
}
for aname, (data, dtype, fill) in arrays.items():
    for cname, comp in compressors.items():
        for order in "CF":
            meta = {"zarr_format": 2, "shape": [12, 4, 5], "chunks": list(data.shape),
                    "dtype": dtype, "fill_value": fill, "order": order, "filters": None,
                    "compressor": comp.get_config() if comp else None}
            raw = data.tobytes(order=order)
            enc = comp.encode(raw) if comp else raw
            put("zarr_chunk_fuzz", f"{aname}-{cname}-{order}", json.dumps(meta).encode() + b"\0" + bytes(enc))

# HDF5 chunk pipeline: control bytes (element size, layout, count/16, index),
# then the stored chunk (shuffle -> deflate -> fletcher32, as HDF5 writes it).
def fletcher32(b):
    if len(b) % 2:
        b += b"\0"
    s1 = s2 = 0
    for (w,) in struct.iter_unpack(">H", b):
        s1 = (s1 + w) % 65535
        s2 = (s2 + s1) % 65535
    return struct.pack("<I", (s2 << 16) | s1)


for size_code, elem in enumerate([1, 2, 4, 8]):
    count = 16 * 4 + 1
    values = rng.integers(0, 200, count * elem).astype("u1").tobytes()
    for layout in (0, 1, 2, 3):
        data = values
        if layout & 1:
            data = np.frombuffer(data, "u1").reshape(count, elem).T.tobytes()
        data = zlib.compress(data, 4)
        if layout & 2:
            data += fletcher32(data)
        put("inflate_shuffle_fuzz", f"e{elem}-l{layout}", bytes([size_code, layout, 4, 37]) + data)

# Query text.
for i, text in enumerate([
        "id,lat,lon\nA,-32.0,115.0\nB,-33.5,114.25\n", "\ufeffA,-32,115\n# comment\n\nB,-31,116\n",
        "-32.0,115.0", "-32.2,-31.8,114.8,115.2", "2020-01-01", "2020-01-01T12:30:00Z",
        "2020-02-29 06:00", "mean", "\"S1\", -40.1 , 100.2\r\n"]):
    put("query_parsers_fuzz", f"seed{i}", text)

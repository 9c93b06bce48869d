#!/usr/bin/python3
"""Independent readers for pixeldrill synth files.

usage: synth_stats.py FILE [ROW COL ...]
Prints JSON: per-file statistics decoded by xarray (CF decoding), plus
sea_surface_temperature at the given (row, col) pixels as decoded by xarray and
by h5py (raw * scale_factor + add_offset, fill -> null), so a C++ test can
compare them with netCDF-C.
"""
import json
import sys

import h5py
import numpy as np
import xarray as xr


def main():
    path = sys.argv[1]
    pixels = [(int(a), int(b)) for a, b in zip(sys.argv[2::2], sys.argv[3::2])]
    out = {}
    with xr.open_dataset(path) as ds:
        sst = ds["sea_surface_temperature"].values[0]
        valid = np.isfinite(sst)
        out["variables"] = sorted(ds.data_vars)
        out["time"] = str(ds["time"].values[0])[:19]
        out["sst_min"] = float(np.nanmin(sst)) if valid.any() else None
        out["sst_max"] = float(np.nanmax(sst)) if valid.any() else None
        out["valid_count"] = int(valid.sum())
        out["xarray_sst"] = [None if np.isnan(sst[r, c]) else float(sst[r, c]) for r, c in pixels]
    with h5py.File(path, "r") as f:
        d = f["sea_surface_temperature"]
        scale = float(d.attrs["scale_factor"][0])
        offset = float(d.attrs["add_offset"][0])
        fill = int(d.attrs["_FillValue"][0])
        raw = d[0]
        out["h5py_sst"] = [None if raw[r, c] == fill else raw[r, c] * scale + offset
                           for r, c in pixels]
        out["h5py_chunks"] = list(d.chunks)
        out["h5py_compression"] = [d.compression, d.compression_opts, bool(d.shuffle)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()

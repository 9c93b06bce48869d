"""Prints xarray's sel(method="nearest") index for each target, one per line.

usage: drill_nearest.py AXIS_FILE TARGET_FILE
AXIS_FILE: first line 'float32' or 'float64', then one coordinate per line.
TARGET_FILE: one target per line. Prints -1 where xarray raises KeyError.
"""
import sys

import numpy as np
import xarray as xr

with open(sys.argv[1]) as f:
    dtype = f.readline().strip()
    coords = np.array([float(x) for x in f], dtype=np.float64).astype(dtype)
targets = [float(x) for x in open(sys.argv[2])]
da = xr.DataArray(np.arange(coords.size), dims="x", coords={"x": coords})
for t in targets:
    try:
        print(int(da.sel(x=t, method="nearest")))
    except KeyError:
        print(-1)

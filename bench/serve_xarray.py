#!/usr/bin/python3
"""The in-process baseline for bench/serve_load.sh: one warm Python process
with the store opened once by xarray answers the same point drills in a loop
(what a Python web service would do per request, minus HTTP).

  serve_xarray.py STORE POINTS_FILE SECONDS   -> prints RESULT rps=... p50_ms=... p99_ms=...
"""
import random
import sys
import time

import numpy as np
import xarray as xr

store, points_file, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
points = [tuple(map(float, l.split(","))) for l in open(points_file) if l.strip()]
ds = xr.open_zarr(store)
sst = ds["sea_surface_temperature"]
sst.sel(lat=points[0][0], lon=points[0][1], method="nearest").values  # warm
lat_ms = []
end = time.perf_counter() + seconds
while time.perf_counter() < end:
    lat, lon = random.choice(points)
    t0 = time.perf_counter()
    v = sst.sel(lat=lat, lon=lon, method="nearest").values
    lat_ms.append((time.perf_counter() - t0) * 1000)
    assert v.shape == (ds.sizes["time"],)
a = np.array(lat_ms)
print(f"RESULT requests={len(a)} rps={len(a) / seconds:.1f} p50_ms={np.percentile(a, 50):.2f} "
      f"p99_ms={np.percentile(a, 99):.2f}")

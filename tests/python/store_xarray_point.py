"""Reads one pixel's time series from pixeldrill Zarr stores with xarray
(the "Zarr Files Access" pattern: open each store with xr.open_zarr and
concatenate along time), printing JSON rows {time, lat, lon, VAR...}.
usage: store_xarray_point.py LAT LON VARS STORE [STORE ...]"""
import json
import math
import sys

import numpy as np
import xarray as xr

lat, lon = float(sys.argv[1]), float(sys.argv[2])
names = sys.argv[3].split(",")
stores = sys.argv[4:]
datasets = [xr.open_zarr(s) for s in stores]
ds = datasets[0] if len(datasets) == 1 else xr.concat(datasets, dim="time")
point = ds[names].sel(lat=lat, lon=lon, method="nearest").load()
rows = []
for i, t in enumerate(point["time"].values):
    row = {"time": np.datetime_as_string(t, unit="s") + "Z",
           "lat": float(point["lat"].values), "lon": float(point["lon"].values)}
    for n in names:
        v = float(point[n].values[i])
        row[n] = None if math.isnan(v) else v
    rows.append(row)
print(json.dumps({"rows": rows, "dtypes": {n: str(ds[n].dtype) for n in names},
                  "time_dtype": str(ds["time"].dtype)}))

"""Reads a `pixeldrill drill --format netcdf` file back with xarray and prints
it as the drill CSV would (time,site,lat,lon,<vars>), station by station
within each time step, so a test can compare it with the CSV output.

usage: drill_read_netcdf.py FILE.nc
"""
import sys

import numpy as np
import xarray as xr

ds = xr.open_dataset(sys.argv[1])
assert ds.attrs["featureType"] == "timeSeries", ds.attrs
names = [v for v in ds.data_vars if v not in ("station_id", "lat", "lon")]


def fmt(x):
    return "" if np.isnan(x) else repr(float(x))


def coord(x):
    return str(np.float32(x)) if np.float64(np.float32(x)) == np.float64(x) else repr(float(x))


print(",".join(["time", "site", "lat", "lon"] + names))
for ti, t in enumerate(ds["time"].values):
    for si in range(ds.sizes["station"]):
        vals = [fmt(ds[v].values[si, ti]) for v in names]
        print(",".join([np.datetime_as_string(t, unit="s") + "Z", str(ds["station_id"].values[si]),
                        coord(ds["lat"].values[si]), coord(ds["lon"].values[si])] + vals))

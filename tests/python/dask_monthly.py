#!/usr/bin/python3
"""The Python route to scale: a monthly mean per station computed by Dask on a
dask.distributed LocalCluster (2 worker processes) from a pixeldrill Zarr store
(xr.open_zarr(store, chunks=...)) or from pixeldrill's combined kerchunk
references (fsspec reference:// + xr.open_zarr), for comparison with
`pixeldrill drill --aggregate month --stats mean,count`.

Usage: dask_monthly.py STATIONS.csv VARIABLE KIND=PATH...   (KIND: zarr or refs)
Prints CSV per source: kind,month (YYYY-MM),station id,mean,count (mean empty
when count is 0). One cluster serves every source.
Values are decoded in float64 (fill -> NaN, then scale/offset, per time step
when the packing differs between files) before averaging, as pixeldrill does.
"""
import csv
import sys

import dask
import fsspec
import numpy as np
import xarray as xr
from dask.distributed import Client, LocalCluster


def stations(path):
    rows = [r for r in csv.reader(open(path)) if r and not r[0].startswith("#")]
    if rows and rows[0][0] == "id":
        rows = rows[1:]
    return [r[0] for r in rows], [float(r[1]) for r in rows], [float(r[2]) for r in rows]


def decoded(raw, var):
    """float64 values with fills masked, from the undecoded dataset."""
    da = raw[var].astype("float64")
    attrs = raw[var].attrs
    for key in ("_FillValue", "missing_value"):
        if key in attrs:
            da = da.where(raw[var] != attrs[key])
    if var + "_scale_factor" in raw:  # combined refs: packing per time step
        return da * raw[var + "_scale_factor"].astype("float64") + \
            raw[var + "_add_offset"].astype("float64")
    if "scale_factor" in attrs:
        da = da * np.float64(attrs["scale_factor"])
    if "add_offset" in attrs:
        da = da + np.float64(attrs["add_offset"])
    return da


def monthly(kind, path, ids, lats, lons, var):
    if kind == "zarr":
        raw = xr.open_zarr(path, chunks={"time": 8, "lat": 32, "lon": 32}, mask_and_scale=False)
    else:
        mapper = fsspec.get_mapper("reference://", fo=path, remote_protocol="file")
        raw = xr.open_zarr(mapper, consolidated=False, chunks={}, mask_and_scale=False)
    where = dict(lat=xr.DataArray(lats, dims="station"), lon=xr.DataArray(lons, dims="station"))
    series = decoded(raw.sel(**where, method="nearest"), var)
    by_month = series.resample(time="MS")
    mean, count = dask.compute(by_month.mean(), by_month.count())
    for i, t in enumerate(mean["time"].values):
        for s, sid in enumerate(ids):
            m = float(mean.isel(time=i, station=s))
            n = int(count.isel(time=i, station=s))
            month = np.datetime_as_string(t, unit="M")
            print(f"{kind},{month},{sid},{'' if np.isnan(m) else repr(m)},{n}")


def main():
    stations_csv, var = sys.argv[1:3]
    ids, lats, lons = stations(stations_csv)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        for arg in sys.argv[3:]:
            kind, path = arg.split("=", 1)
            monthly(kind, path, ids, lats, lons, var)
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()

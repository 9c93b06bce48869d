#!/usr/bin/python3
"""Benchmark contender "xarray": the script an xarray user would write.

open_mfdataset (dask, the xarray docs' fast-open recipe) + sel(method="nearest")
for points/stations, an isel window + mean(skipna) for the box. Prints CSV
time (Unix seconds), site, lat, lon, <vars>.

  xarray_drill.py (--files LIST | --zarr STORE) --vars a,b
                  (--point LAT,LON | --stations CSV | --box-idx I0,I1,J0,J1) --out CSV
"""
import argparse
import csv

import numpy as np
import xarray as xr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--files")
    p.add_argument("--zarr")
    p.add_argument("--vars", required=True)
    p.add_argument("--point")
    p.add_argument("--stations")
    p.add_argument("--box-idx")
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    names = a.vars.split(",")
    if a.zarr:
        ds = xr.open_zarr(a.zarr)[names]
    else:
        with open(a.files) as f:
            files = [line.strip() for line in f if line.strip()]
        ds = xr.open_mfdataset(files, combine="nested", concat_dim="time",
                               preprocess=lambda d: d[names], data_vars="minimal",
                               coords="minimal", compat="override", parallel=False)
    if a.date_from or a.date_to:
        ds = ds.sel(time=slice(a.date_from, a.date_to))
    sites = [""]
    if a.point:
        la, lo = (float(x) for x in a.point.split(","))
        sel = ds.sel(lat=la, lon=lo, method="nearest").compute()
        lats, lons = [float(sel.lat)], [float(sel.lon)]
        cols = [np.asarray(sel[v].values, dtype=np.float64).reshape(-1, 1) for v in names]
    elif a.stations:
        with open(a.stations) as f:
            rows = list(csv.DictReader(f))
        sites = [r["id"] for r in rows]
        la = xr.DataArray([float(r["lat"]) for r in rows], dims="site")
        lo = xr.DataArray([float(r["lon"]) for r in rows], dims="site")
        sel = ds.sel(lat=la, lon=lo, method="nearest").compute()
        lats, lons = list(sel.lat.values), list(sel.lon.values)
        cols = [np.asarray(sel[v].transpose("time", "site").values, dtype=np.float64)
                for v in names]
    else:
        i0, i1, j0, j1 = (int(x) for x in a.box_idx.split(","))
        win = ds.isel(lat=slice(i0, i1 + 1), lon=slice(j0, j1 + 1))
        sel = win.mean(["lat", "lon"], skipna=True).compute()
        lats = [float(win.lat.mean())]
        lons = [float(win.lon.mean())]
        cols = [np.asarray(sel[v].values, dtype=np.float64).reshape(-1, 1) for v in names]
    times = (sel.time.values.astype("datetime64[s]").astype(np.int64)).tolist()
    with open(a.out, "w") as f:
        f.write("time,site,lat,lon," + ",".join(names) + "\n")
        for ti, t in enumerate(times):
            for k, site in enumerate(sites):
                vals = ["" if np.isnan(c[ti, k]) else repr(float(c[ti, k])) for c in cols]
                f.write(f"{t},{site},{lats[k]},{lons[k]}," + ",".join(vals) + "\n")


if __name__ == "__main__":
    main()

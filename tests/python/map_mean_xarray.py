"""The per-pixel mean over time of a box, with xarray, for --plot-map's grid.

usage: map_mean_xarray.py FILE_LIST --box=S,N,W,E FROM TO VAR [--min-quality N]
Prints lat,lon,mean,count rows in the source's pixel order (mean empty when
the pixel has no valid value), decoding in float64 as pixeldrill does.
"""
import argparse

import numpy as np
import xarray as xr

p = argparse.ArgumentParser()
p.add_argument("file_list")
p.add_argument("--box", required=True, help="S,N,W,E")
p.add_argument("start")
p.add_argument("end")
p.add_argument("var")
p.add_argument("--min-quality", type=int)
a = p.parse_args()
S, N, W, E = (float(x) for x in a.box.split(","))
files = [line.strip() for line in open(a.file_list) if line.strip()]


def decode64(var):
    x = var.values.astype(np.float64)
    if "_FillValue" in var.attrs:
        x[x == np.float64(var.attrs["_FillValue"])] = np.nan
    x = x * np.float64(var.attrs.get("scale_factor", 1.0)) + np.float64(var.attrs.get("add_offset", 0.0))
    return xr.DataArray(x, dims=var.dims, coords=var.coords)


def window(ds):
    lat = ds["lat"].values.astype(np.float64)
    lon = ds["lon"].values.astype(np.float64)
    rows = np.where((lat >= S) & (lat <= N))[0]
    cols = np.where((lon >= W) & (lon <= E))[0]
    return ds.isel(lat=slice(rows[0], rows[-1] + 1), lon=slice(cols[0], cols[-1] + 1))


# Each file decoded with its own packing (files differ in add_offset), then joined.
parts = []
for f in files:
    d = window(xr.open_dataset(f, mask_and_scale=False))
    parts.append(xr.Dataset({n: decode64(d[n]) for n in (a.var, "quality_level")}))
ds = xr.concat(parts, "time").sel(time=slice(a.start, a.end))
v = ds[a.var]
if a.min_quality is not None:
    v = v.where(ds["quality_level"] >= a.min_quality)
mean = v.mean("time", skipna=True).values
count = v.count("time").values
for y in range(mean.shape[0]):
    for x in range(mean.shape[1]):
        m = "" if count[y, x] == 0 else repr(float(mean[y, x]))
        print(f"{np.float32(ds['lat'].values[y])},{np.float32(ds['lon'].values[x])},{m},{count[y, x]}")

"""The drill answer computed independently with xarray, for the C++ tests.

usage: drill_xarray.py FILE_LIST VARS (--points 'id:lat:lon;...' | --box S,N,W,E [--reduce R])
(a single --point drill names its site "point": pass 'point:lat:lon')
                       [--min-quality N] [--celsius]
FILE_LIST: a text file with one NetCDF path per line (opened with open_mfdataset).
Prints CSV like `pixeldrill drill`: time,site,lat,lon,<vars>; missing values empty;
floats as Python repr (shortest round-trip), coordinates as their float32 text.
"""
import argparse

import numpy as np
import xarray as xr

p = argparse.ArgumentParser()
p.add_argument("file_list")
p.add_argument("vars")
p.add_argument("--points")
p.add_argument("--box")
p.add_argument("--reduce", default="none")
p.add_argument("--min-quality", type=int)
p.add_argument("--celsius", action="store_true")
# xarray's own CF decoding turns masked shorts into float32 before scaling;
# by default the files are opened raw and decoded here in float64 (each
# file with its own packing), the rule pixeldrill follows.
p.add_argument("--xarray-decoding", action="store_true")
a = p.parse_args()

files = [line.strip() for line in open(a.file_list) if line.strip()]
names = a.vars.split(",")
needed = list(names) + (["quality_level"] if a.min_quality is not None and "quality_level" not in names else [])


def decode64(var):
    x = var.values.astype(np.float64)
    attrs = var.attrs
    for key in ("_FillValue", "missing_value"):
        if key in attrs:
            x[x == np.float64(np.ravel(attrs[key])[0])] = np.nan
    if "scale_factor" in attrs:
        x = x * np.float64(attrs["scale_factor"])
    if "add_offset" in attrs:
        x = x + np.float64(attrs["add_offset"])
    return var.copy(data=x)


def ensure_vars(ds):
    # Eras lack some variables; give them NaN so the files concatenate.
    shape = (ds.sizes["time"], ds.sizes["lat"], ds.sizes["lon"])
    for v in needed:
        if v not in ds:
            ds[v] = (("time", "lat", "lon"), np.full(shape, np.nan))
        elif not a.xarray_decoding:
            ds[v] = decode64(ds[v])
    return ds[needed]


ds = xr.open_mfdataset(files, preprocess=ensure_vars, combine="by_coords",
                       mask_and_scale=a.xarray_decoding)
ds = ds.astype("float64")
if a.min_quality is not None:
    ds = ds.where(ds["quality_level"] >= a.min_quality)
if a.celsius:
    for v in names:
        src = xr.open_dataset(files[0])
        attrs = src[v].attrs if v in src else {}
        if attrs.get("units") == "kelvin" and attrs.get("standard_name", "").endswith("temperature"):
            ds[v] = ds[v] - 273.15


def fmt(x):
    return "" if np.isnan(x) else repr(float(x))


def coord(x):
    return str(np.float32(x)) if np.float64(np.float32(x)) == np.float64(x) else repr(float(x))


def stamp(t):
    return np.datetime_as_string(t, unit="s") + "Z"


def flags(v, key):
    src = xr.open_dataset(files[0], mask_and_scale=False)
    if v not in src or key not in src[v].attrs:
        return [], []
    numbers = [int(x) for x in np.ravel(src[v].attrs[key])]
    words = str(src[v].attrs.get("flag_meanings", "")).split()
    return numbers, (words if len(words) == len(numbers) else [])


# A reduced box's columns (pixeldrill's rule, docs in README): flag masks
# give counts per bit, categories give counts per value for a mean, other
# variables their statistic and VAR_count; --reduce count one count each.
reduced = []  # (name, function of the valid values)
for v in names:
    if a.reduce == "count":
        reduced.append((v, v, lambda x: float(x.size)))
        continue
    masks, mask_names = flags(v, "flag_masks")
    values, value_names = flags(v, "flag_values")
    if masks:
        reduced.append((v + "_count", v, lambda x: float(x.size)))
        for i, m in enumerate(masks):
            label = mask_names[i] if mask_names else str(m)
            reduced.append((v + "_count_" + label, v,
                            lambda x, m=m: float(np.sum((x.astype(np.int64) & m) == m))))
    elif values and a.reduce == "mean":
        reduced.append((v + "_count", v, lambda x: float(x.size)))
        for c in values:
            reduced.append((v + "_count_" + str(c), v, lambda x, c=c: float(np.sum(x == c))))
    else:
        f = {"mean": np.mean, "min": np.min, "max": np.max}.get(a.reduce)
        reduced.append((v, v, (lambda x, f=f: float(f(x)) if x.size else None)))
        reduced.append((v + "_count", v, lambda x: float(x.size)))

if a.reduce == "none" or a.points:
    print(",".join(["time", "site", "lat", "lon"] + names))
else:
    print(",".join(["time", "site", "lat", "lon"] + [n for n, _, _ in reduced]))
times = ds["time"].values
if a.points:
    sites = [s.split(":") for s in a.points.split(";")]
    picked = [ds.sel(lat=float(la), lon=float(lo), method="nearest").compute() for _, la, lo in sites]
    for ti, t in enumerate(times):
        for (sid, _, _), px in zip(sites, picked):
            vals = [fmt(px[v].values[ti]) for v in names]
            print(",".join([stamp(t), sid, coord(px["lat"].values), coord(px["lon"].values)] + vals))
else:
    s, n, w, e = (float(x) for x in a.box.split(","))
    lat = ds["lat"].values.astype(np.float64)
    lon = ds["lon"].values.astype(np.float64)
    rows = np.where((lat >= s) & (lat <= n))[0]
    cols = np.where((lon >= w) & (lon <= e))[0]
    sub = ds.isel(lat=rows, lon=cols).compute()
    if a.reduce == "none":
        for ti, t in enumerate(times):
            for i in range(rows.size):
                for j in range(cols.size):
                    vals = [fmt(sub[v].values[ti, i, j]) for v in names]
                    print(",".join([stamp(t), "", coord(sub["lat"].values[i]), coord(sub["lon"].values[j])] + vals))
    else:
        clat = (lat[rows[0]] + lat[rows[-1]]) / 2
        clon = (lon[cols[0]] + lon[cols[-1]]) / 2
        if ds["lat"].dtype == np.float32:
            clat = np.float64(np.float32(clat))
        if ds["lon"].dtype == np.float32:
            clon = np.float64(np.float32(clon))
        for ti, t in enumerate(times):
            vals = []
            for _, v, f in reduced:
                x = sub[v].values[ti].ravel()
                y = f(x[~np.isnan(x)])
                vals.append("" if y is None else repr(y))
            print(",".join([stamp(t), "", coord(clat), coord(clon)] + vals))

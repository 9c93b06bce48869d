"""Checks a `pixeldrill drill --box ... --format netcdf` cube against xarray's
own selection of the same box and time range on the source files.

usage: cube_xarray.py CUBE FILE_LIST --box=S,N,W,E FROM TO VARS [--min-quality N] [--celsius]
                      [--expect-packed | --expect-float]
Prints "OK nt ny nx" or the first difference (exit 1).
"""
import argparse
import sys

import numpy as np
import xarray as xr

p = argparse.ArgumentParser()
p.add_argument("cube")
p.add_argument("file_list")
p.add_argument("--box", required=True, help="S,N,W,E")
p.add_argument("start")
p.add_argument("end")
p.add_argument("vars")
p.add_argument("--min-quality", type=int)
p.add_argument("--celsius", action="store_true")
p.add_argument("--expect-packed", action="store_true")
p.add_argument("--tolerance", type=float, default=1e-9,
               help="for values not stored as float32 (a packed store re-quantises: 0.005)")
p.add_argument("--expect-float", action="store_true", help="the first variable is float32")
a = p.parse_args()
names = a.vars.split(",")
S, N, W, E = (float(x) for x in a.box.split(","))
files = [line.strip() for line in open(a.file_list) if line.strip()]


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def decode64(var):
    """CF decoding in float64 (pixeldrill's rule; xarray decodes shorts in float32)."""
    x = var.values.astype(np.float64)
    for key in ("_FillValue", "missing_value"):
        if key in var.attrs:
            x[x == np.float64(np.ravel(var.attrs[key])[0])] = np.nan
    if "scale_factor" in var.attrs:
        x = x * np.float64(var.attrs["scale_factor"])
    if "add_offset" in var.attrs:
        x = x + np.float64(var.attrs["add_offset"])
    return x


def window(ds):
    lat = ds["lat"].values.astype(np.float64)
    lon = ds["lon"].values.astype(np.float64)
    rows = np.where((lat >= S) & (lat <= N))[0]
    cols = np.where((lon >= W) & (lon <= E))[0]
    return ds.isel(lat=slice(rows[0], rows[-1] + 1), lon=slice(cols[0], cols[-1] + 1)).sel(
        time=slice(a.start, a.end))


# Each file decoded with its own packing (files differ in add_offset), then joined.
decoded_src = xr.concat([window(xr.open_dataset(f, mask_and_scale=False)[names]).pipe(
    lambda d: d.assign({v: (d[v].dims, decode64(d[v])) for v in names})) for f in files], "time")
decoded_src = decoded_src.sel(time=slice(a.start, a.end))
raw_src = window(xr.open_mfdataset(files, combine="by_coords", mask_and_scale=False)).load()
cf_src = window(xr.open_mfdataset(files, combine="by_coords")).load()
raw = xr.open_dataset(a.cube, mask_and_scale=False)
cf = xr.open_dataset(a.cube)

for c in ("lat", "lon"):
    if raw[c].dtype != raw_src[c].dtype:
        fail(f"{c} dtype {raw[c].dtype} != source {raw_src[c].dtype}")
    if not np.array_equal(raw[c].values, raw_src[c].values):
        fail(f"{c} values differ")
if not np.array_equal(cf["time"].values, cf_src["time"].values):
    fail(f"times differ: {cf['time'].values[:3]} vs {cf_src['time'].values[:3]}")

keep = None
if a.min_quality is not None:
    keep = decoded_src["quality_level"].values >= a.min_quality

for v in names:
    src, out = raw_src[v], raw[v]
    if out.dims != ("time", "lat", "lon"):
        fail(f"{v} dims {out.dims}")
    enc = cf[v].encoding
    if not enc.get("zlib") or not enc.get("shuffle"):
        fail(f"{v} is not deflated and shuffled: {enc}")
    want = decoded_src[v].values.copy()
    if a.celsius and src.attrs.get("units") == "kelvin":
        want = want - 273.15
    if keep is not None:
        want[~keep] = np.nan
    got = decode64(out)
    if not np.array_equal(np.isnan(got), np.isnan(want)):
        fail(f"{v}: missing values differ ({np.isnan(got).sum()} vs {np.isnan(want).sum()})")
    ok = ~np.isnan(want)
    packed = out.dtype == src.dtype
    if not packed and out.dtype == np.float32:
        # Unpacked: float32 of the value decoded in float64, exactly.
        if not np.array_equal(got[ok], want[ok].astype(np.float32).astype(np.float64)):
            fail(f"{v}: float32 values differ from float32 of the decoded source")
    elif ok.any() and np.max(np.abs(got[ok] - want[ok])) > a.tolerance:
        fail(f"{v}: values differ by {np.max(np.abs(got[ok] - want[ok]))}")
    if a.expect_packed and not packed:  # every variable
        fail(f"{v}: {out.dtype}, expected the source's {src.dtype}")
    if a.expect_float and v == names[0] and out.dtype != np.float32:
        fail(f"{v}: {out.dtype}, expected float32")
    if packed:
        for key in ("scale_factor", "_FillValue"):
            if key in src.attrs and np.ravel(out.attrs.get(key))[0] != np.ravel(src.attrs[key])[0]:
                fail(f"{v}: {key} {out.attrs.get(key)} != source {src.attrs[key]}")
        # A packed store has its own add_offset: its integers are not the source's.
        if not a.celsius and keep is None and out.attrs.get("add_offset") == src.attrs.get("add_offset"):
            # The stored integers themselves, and xarray's own decoding of both.
            if not np.array_equal(out.values, src.values):
                fail(f"{v}: stored integers differ")
            if not np.array_equal(cf[v].values, cf_src[v].values, equal_nan=True):
                fail(f"{v}: xarray's decoding of the cube differs from its decoding of the source")
            if cf[v].dtype != cf_src[v].dtype:
                fail(f"{v}: xarray decodes the cube as {cf[v].dtype}, the source as {cf_src[v].dtype}")
    for key in ("long_name", "standard_name", "comment", "source"):
        if key in src.attrs and out.attrs.get(key) != src.attrs[key]:
            fail(f"{v}: attribute {key} not copied")
print("OK", cf.sizes["time"], cf.sizes["lat"], cf.sizes["lon"])

"""Reads pixeldrill kerchunk reference sets the way a user would (the "Index
Access" recipe): fsspec reference:// mapper + xarray.open_zarr, and prints the
nearest-pixel time series of variables.

Usage: index_kerchunk_read.py QUERIES.json
QUERIES.json: [{"refs": PATH, "lat": .., "lon": .., "var": NAME, "protocol": "file"}, ...]
("protocol" is fsspec's remote_protocol, "file" unless given; "http" reads over aiohttp)
Prints per query i:  "i pixel <lat> <lon>" then "i <ISO time> <exact> <xarray>" lines, where
<xarray> is xarray's own CF decoding (float32 for masked shorts) and <exact> is
the stored numbers decoded in float64 with the set's attributes (or, for a
combined set whose packing varies per file, VAR * VAR_scale_factor + VAR_add_offset).
"""
import json
import sys

import fsspec
import numpy as np
import xarray as xr

opened = {}


def open_set(refs, protocol="file", **kw):
    key = (refs, protocol, tuple(sorted(kw.items())))
    if key not in opened:
        mapper = fsspec.get_mapper("reference://", fo=refs, remote_protocol=protocol)
        opened[key] = xr.open_zarr(mapper, consolidated=False, **kw)
    return opened[key]


def text(v):
    return "nan" if np.isnan(v) else repr(float(v))


for i, q in enumerate(json.load(open(sys.argv[1]))):
    protocol = q.get("protocol", "file")
    ds = open_set(q["refs"], protocol)
    raw = open_set(q["refs"], protocol, mask_and_scale=False)
    var = q["var"]
    point = ds.sel(lat=q["lat"], lon=q["lon"], method="nearest")
    rpoint = raw.sel(lat=q["lat"], lon=q["lon"], method="nearest")
    decoded = point[var]
    stored = rpoint[var]
    exact = stored.values.astype(np.float64)
    attrs = stored.attrs
    for key in ("_FillValue", "missing_value"):
        if key in attrs:
            exact[exact == np.float64(attrs[key])] = np.nan
    if var + "_scale_factor" in ds:
        scale = rpoint[var + "_scale_factor"].values
        offset = rpoint[var + "_add_offset"].values
        exact = exact * scale + offset
        decoded = decoded * point[var + "_scale_factor"] + point[var + "_add_offset"]
    else:
        if "scale_factor" in attrs:
            exact = exact * np.float64(attrs["scale_factor"])
        if "add_offset" in attrs:
            exact = exact + np.float64(attrs["add_offset"])
    print(i, "pixel", repr(float(point.lat)), repr(float(point.lon)))
    for t, e, x in zip(decoded["time"].values, np.atleast_1d(exact), np.atleast_1d(decoded.values)):
        print(i, np.datetime_as_string(t, unit="s") + "Z", text(e), text(x))

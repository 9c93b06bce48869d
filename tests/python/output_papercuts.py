"""Independent reads (xarray, pandas, fsspec) of pixeldrill's outputs for
tests/output/output_papercuts_test.cpp. Each mode prints one JSON document.

usage:
  output_papercuts.py netcdf OUT.nc                 attributes, types, ids of a drill NetCDF
  output_papercuts.py source-attrs FILE.nc          global attributes of a source file
  output_papercuts.py store-to-netcdf STORE OUT.nc  xr.open_zarr(STORE).to_netcdf(OUT), read back
  output_papercuts.py packed CSV VAR FILE.nc...     each CSV value of VAR packed back with its
                                                    file's scale_factor/add_offset vs the raw number
  output_papercuts.py pandas-table JSON CSV         pandas.read_json(orient="table") vs read_csv
  output_papercuts.py refs REFS VAR LAT LON [U]     values at the nearest pixel through fsspec
                                                    reference:// (U: template_overrides u)
  output_papercuts.py times FILE.nc...              first/last time and count over the files
"""
import json
import sys

import numpy as np


def plain(v):
    if isinstance(v, np.ndarray):
        return [plain(x) for x in v.tolist()]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def iso(t):
    return np.datetime_as_string(np.datetime64(t, "s"), unit="s") + "Z"


def netcdf(path):
    import xarray as xr
    ds = xr.open_dataset(path, mask_and_scale=False)
    out = {"attrs": {k: plain(v) for k, v in ds.attrs.items()},
           "dtypes": {k: str(ds[k].dtype) for k in ds.data_vars},
           "var_attrs": {k: {a: plain(v) for a, v in ds[k].attrs.items()} for k in ds.data_vars},
           "station_id": [str(s) for s in ds["station_id"].values],
           "lat": plain(ds["lat"].values), "lon": plain(ds["lon"].values),
           "times": [iso(t) for t in xr.decode_cf(ds)["time"].values]}
    decoded = xr.open_dataset(path)
    out["values"] = {k: [None if np.isnan(x) else float(x)
                         for x in np.asarray(decoded[k].values, dtype=float).ravel()]
                     for k in decoded.data_vars if k != "station_id"}
    return out


def source_attrs(path):
    import xarray as xr
    ds = xr.open_dataset(path)
    return {k: plain(v) for k, v in ds.attrs.items()}


def store_to_netcdf(store, out):
    import xarray as xr
    ds = xr.open_zarr(store)
    ds.to_netcdf(out)
    back = xr.open_dataset(out)
    return {"attrs": {k: plain(v) for k, v in back.attrs.items()},
            "times": [iso(t) for t in back["time"].values],
            "vars": sorted(back.data_vars)}


def packed(csv_path, var, files):
    import pandas as pd
    import xarray as xr
    table = pd.read_csv(csv_path, dtype={var: str}, keep_default_na=False)
    raw = {}
    for f in files:
        ds = xr.open_dataset(f, mask_and_scale=False)
        t = iso(ds["time"].values[0]) if np.issubdtype(ds["time"].dtype, np.datetime64) else None
        raw[t] = ds
    checked, bad, decimals = 0, [], 0
    for _, row in table.iterrows():
        text = row[var]
        if text == "":
            continue
        ds = raw[row["time"]]
        v = ds[var]
        px = v.sel(lat=np.float32(row["lat"]), lon=np.float32(row["lon"]), method="nearest")
        stored = int(px.values.ravel()[0])
        scale = float(v.attrs.get("scale_factor", 1.0))
        offset = float(v.attrs.get("add_offset", 0.0))
        back = int(round((float(text) - offset) / scale))
        if back != stored:
            bad.append([row["time"], text, stored, back])
        decimals = max(decimals, len(text.split(".")[1]) if "." in text else 0)
        checked += 1
    return {"checked": checked, "bad": bad[:5], "max_decimals": decimals}


def pandas_table(json_path, csv_path):
    import pandas as pd
    df = pd.read_json(json_path, orient="table")
    csv = pd.read_csv(csv_path)
    cols = [c for c in csv.columns]
    same = True
    for c in cols:
        if c == "time":
            a = pd.to_datetime(df[c], utc=True)
            b = pd.to_datetime(csv[c], utc=True)
            same &= bool((a.values == b.values).all())
        elif df[c].dtype.kind in "fi":
            a = df[c].to_numpy(dtype=float)
            b = csv[c].to_numpy(dtype=float)
            same &= bool(((a == b) | (np.isnan(a) & np.isnan(b))).all())
        else:
            same &= bool((df[c].fillna("").astype(str).values == csv[c].fillna("").astype(str).values).all())
    return {"rows": len(df), "columns": list(df.columns), "equal_to_csv": same,
            "dtypes": {c: str(df[c].dtype) for c in df.columns}}


def refs(path, var, lat, lon, base=None):
    import fsspec
    import xarray as xr
    kw = {"template_overrides": {"u": base}} if base else {}
    m = fsspec.get_mapper("reference://", fo=path, remote_protocol="file", **kw)
    ds = xr.open_zarr(m, consolidated=False, decode_times=False)
    px = ds[var].sel(lat=float(lat), lon=float(lon), method="nearest")
    vals = [None if np.isnan(x) else float(x) for x in np.asarray(px.values, dtype=float).ravel()]
    return {"values": vals, "attrs": {k: plain(v) for k, v in ds[var].attrs.items()}}


def times(files):
    import xarray as xr
    ts = []
    for f in files:
        ts.extend(xr.open_dataset(f)["time"].values)
    ts.sort()
    return {"first": iso(ts[0]), "last": iso(ts[-1]), "count": len(ts)}


mode, args = sys.argv[1], sys.argv[2:]
result = {"netcdf": lambda: netcdf(*args), "source-attrs": lambda: source_attrs(*args),
          "store-to-netcdf": lambda: store_to_netcdf(*args),
          "packed": lambda: packed(args[0], args[1], args[2:]),
          "pandas-table": lambda: pandas_table(*args), "refs": lambda: refs(*args),
          "times": lambda: times(args)}[mode]()
json.dump(result, sys.stdout)
print()

"""--nearest-valid and "no valid value" computed independently with xarray.

usage: nearest_valid_xarray.py FILE_LIST LAT LON RADIUS_KM
FILE_LIST: one NetCDF path per line (open_mfdataset). Longitude in the grid's
convention. Prints `nearest_lat,nearest_lon,nearest_has_value` then
`chosen_lat,chosen_lon,distance_km` (the pixel --nearest-valid should use:
the nearest pixel if it has a sea_surface_temperature value at some time,
else the valid pixel within RADIUS_KM nearest by haversine distance), or
`none` when no pixel qualifies. Coordinates printed as float32 text.
"""
import sys

import numpy as np
import xarray as xr

files = [line.strip() for line in open(sys.argv[1]) if line.strip()]
lat, lon, radius = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ds = xr.open_mfdataset(files, combine="by_coords")
sst = ds["sea_surface_temperature"]
valid = sst.notnull().any("time").compute()


def f32(x):
    return repr(float(np.float32(x)))


def haversine(lat1, lon1, lat2, lon2):
    r = np.pi / 180
    a = np.sin((lat2 - lat1) * r / 2) ** 2 + np.cos(lat1 * r) * np.cos(lat2 * r) * np.sin((lon2 - lon1) * r / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


near = valid.sel(lat=lat, lon=lon, method="nearest")
nlat, nlon = float(near["lat"]), float(near["lon"])
print(f"{f32(nlat)},{f32(nlon)},{bool(near)}")
if bool(near):
    print(f"{f32(nlat)},{f32(nlon)},{haversine(lat, lon, nlat, nlon):.6f}")
    sys.exit(0)
lats = valid["lat"].values.astype(np.float64)
lons = valid["lon"].values.astype(np.float64)
LAT, LON = np.meshgrid(lats, lons, indexing="ij")
d = haversine(lat, lon, LAT, LON)
ok = valid.values & (d <= radius)
if not ok.any():
    print("none")
    sys.exit(0)
d = np.where(ok, d, np.inf)
i, j = np.unravel_index(np.argmin(d), d.shape)
print(f"{f32(lats[i])},{f32(lons[j])},{d[i, j]:.6f}")

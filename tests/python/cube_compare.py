"""Compares two box cubes value by value (CF-decoded in float64).

usage: cube_compare.py A.nc B.nc [--tolerance T] [--same-encoding]
Prints "SAME" or the first difference (exit 1).
"""
import argparse
import sys

import numpy as np
import xarray as xr

p = argparse.ArgumentParser()
p.add_argument("a")
p.add_argument("b")
p.add_argument("--tolerance", type=float, default=0.0)
p.add_argument("--same-encoding", action="store_true")
args = p.parse_args()
A = xr.open_dataset(args.a, mask_and_scale=False)
B = xr.open_dataset(args.b, mask_and_scale=False)


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def decode64(var):
    x = var.values.astype(np.float64)
    if "_FillValue" in var.attrs:
        x[x == np.float64(var.attrs["_FillValue"])] = np.nan
    x = x * np.float64(var.attrs.get("scale_factor", 1.0)) + np.float64(var.attrs.get("add_offset", 0.0))
    return x


if set(A.data_vars) != set(B.data_vars):
    fail(f"variables {sorted(A.data_vars)} vs {sorted(B.data_vars)}")
for c in ("time", "lat", "lon"):
    if not np.array_equal(A[c].values, B[c].values) or A[c].dtype != B[c].dtype:
        fail(f"coordinate {c} differs")
for v in A.data_vars:
    x, y = decode64(A[v]), decode64(B[v])
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        fail(f"{v}: missing values differ")
    ok = ~np.isnan(x)
    if ok.any() and np.max(np.abs(x[ok] - y[ok])) > args.tolerance:
        fail(f"{v}: differ by {np.max(np.abs(x[ok] - y[ok]))}")
    if args.same_encoding:
        if A[v].dtype != B[v].dtype or not np.array_equal(A[v].values, B[v].values, equal_nan=A[v].dtype.kind == "f"):
            fail(f"{v}: stored values or type differ")
        if str(A[v].attrs) != str(B[v].attrs):  # str: NaN fills compare equal
            fail(f"{v}: attributes differ: {A[v].attrs} vs {B[v].attrs}")
print("SAME")

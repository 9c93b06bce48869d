"""Prints one array of a Zarr store as JSON, read by zarr-python (numcodecs),
so tests can compare pixeldrill's writer against an independent reader.
usage: store_dump_zarr.py STORE VAR"""
import json
import math
import sys

import zarr

store, var = sys.argv[1], sys.argv[2]
group = zarr.open_consolidated(store, mode="r")
arr = group[var]
data = arr[...]
values = [None if (isinstance(v, float) and math.isnan(v)) else v for v in data.ravel().tolist()]
print(json.dumps({"shape": list(data.shape), "dtype": str(data.dtype), "order": arr.order,
                  "attrs": dict(arr.attrs), "values": values}))

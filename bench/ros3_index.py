#!/usr/bin/python3
# Debian's /usr/bin/python3 (h5py over Debian's libhdf5 1.10.8, built with
# the ROS3 driver). Reads what `pixeldrill index` reads from each remote file
# through HDF5's own read-only S3/HTTP driver instead of pixeldrill's virtual
# file driver: the coordinates, every attribute, and every chunk's address of
# the data variables named. One file URL per line on stdin; prints the chunk
# count so the work can be checked.
#
#   ros3_index.py VAR[,VAR...] < urls.txt
import sys

import h5py

wanted = set(sys.argv[1].split(",")) if len(sys.argv) > 1 and sys.argv[1] else None
chunks = 0
for url in sys.stdin.read().split():
    with h5py.File(url, "r", driver="ros3") as f:
        dict(f.attrs)
        for name, ds in f.items():
            if not isinstance(ds, h5py.Dataset):
                continue
            dict(ds.attrs)
            if ds.ndim == 1 and name in ("lat", "lon", "time"):
                ds[()]
                continue
            if wanted is not None and name not in wanted:
                continue
            n = ds.id.get_num_chunks()
            for i in range(n):
                ds.id.get_chunk_info(i)
            chunks += n
print(chunks)

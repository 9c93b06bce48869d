"""Prints every chunk of every chunked dataset of an HDF5 file, as h5py sees it.

Output lines: "<dataset> <chunk coords joined by ,> <byte offset> <size> <filter mask>",
an independent check of pixeldrill's chunk index (H5Dget_chunk_info via h5py).
"""
import sys

import h5py

with h5py.File(sys.argv[1], "r") as f:
    for name, obj in f.items():
        if not isinstance(obj, h5py.Dataset) or obj.chunks is None:
            continue
        dsid = obj.id
        for i in range(dsid.get_num_chunks()):
            info = dsid.get_chunk_info(i)
            coords = ",".join(str(c) for c in info.chunk_offset)
            print(name, coords, info.byte_offset, info.size, info.filter_mask)

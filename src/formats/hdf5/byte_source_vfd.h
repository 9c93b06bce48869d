#pragma once
// An HDF5 virtual file driver over io::ByteSource, so HDF5 reads remote
// objects (HTTP, S3) by ranges instead of downloading them. Read-only.
#include <hdf5.h>

#include "io/byte_source.h"

namespace pixeldrill::formats::hdf5 {

// A file access property list whose driver reads from `source`, which must
// outlive every file opened with it. The caller closes the list (H5Pclose).
hid_t byte_source_fapl(const io::ByteSource& source);

// The message of the last ByteSource error a read on this thread turned into
// an HDF5 failure (HDF5's own message would only say "read failed").
std::string last_byte_source_error();

}  // namespace pixeldrill::formats::hdf5

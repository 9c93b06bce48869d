#pragma once
// Per-file packing as the catalog and everything above it name it; the
// definition lives with the format readers that report it.
#include "formats/packing.h"

namespace pixeldrill::catalog {

using formats::Packing;
using formats::storage_name;
using formats::storage_size;
using formats::StorageType;

}  // namespace pixeldrill::catalog

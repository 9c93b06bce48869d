#pragma once
// Small pieces of the index drill: how a dataset's HDF5 filters map onto the
// chunk pipeline, and how a stored element becomes the double the
// SeriesBuilder expects.
#include <cstddef>
#include <string>

#include "catalog/packing.h"
#include "codec/chunk_pipeline.h"
#include "index/collection_index.h"

namespace pixeldrill::drill::index_values {

// One stored element (file byte order) widened to double.
double to_double(const std::byte* p, catalog::StorageType type, bool big_endian);

// Positions of shuffle / deflate / fletcher32 in the dataset's filter pipeline.
codec::Pipeline pipeline_of(const index::VarLayout& v);

}  // namespace pixeldrill::drill::index_values

#pragma once
// Small pieces of the index drill: which layout datasets are drillable
// variables, how their HDF5 filters map onto the chunk pipeline, and how a
// stored element becomes the double the SeriesBuilder expects.
#include <cstddef>
#include <string>

#include "catalog/packing.h"
#include "codec/chunk_pipeline.h"
#include "index/collection_index.h"

namespace pixeldrill::drill::index_values {

// A text attribute from a layout dataset's CF attributes ("" when absent).
std::string text_attr(const std::string& attrs_json, const char* name);

// A gridded data variable, as catalog::read_metadata counts them.
bool is_data_variable(const index::Layout& l, const index::VarLayout& v);

// One stored element (file byte order) widened to double.
double to_double(const std::byte* p, catalog::StorageType type, bool big_endian);

// Positions of shuffle / deflate / fletcher32 in the dataset's filter pipeline.
codec::Pipeline pipeline_of(const index::VarLayout& v);

}  // namespace pixeldrill::drill::index_values

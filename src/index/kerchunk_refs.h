#pragma once
// Kerchunk reference sets (spec version 1) from the chunk index, so that
// fsspec's "reference://" filesystem + zarr / xarray read the NetCDF files'
// chunks in place. One set per file, or one combined set per layout group
// concatenated along time.
//
// Per-file packing in a combined set: scale_factor / add_offset differ from
// file to file, so one array attribute cannot be right for every time step.
// When every file of the group has the same packing, the CF attributes are
// kept and xarray decodes values directly. When it varies, the combined
// variable is exposed as its stored (packed) numbers, with _FillValue only,
// plus 1-D per-time variables <var>_scale_factor and <var>_add_offset:
// physical value = var * <var>_scale_factor + <var>_add_offset.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "index/collection_index.h"

namespace pixeldrill::index::kerchunk {

struct RefsWarning {
  std::string message;  // e.g. a variable left out (unsupported filter)
};

// {"version":1,"refs":{...}} for one indexed file.
nlohmann::json file_refs(const index::CollectionIndex& index, size_t file,
                         std::vector<RefsWarning>* warnings);

// Groups of files that can be combined: same layout (and fill values).
std::vector<std::vector<size_t>> combinable_groups(const index::CollectionIndex& index);

// One reference set for `files` (one layout group), concatenated along time
// in time order.
nlohmann::json combined_refs(const index::CollectionIndex& index, std::vector<size_t> files,
                             std::vector<RefsWarning>* warnings);

// The deepest folder (or URL prefix ending in '/') holding every indexed file.
std::string common_folder(const index::CollectionIndex& index);

// Makes a reference set movable: every chunk path under `root` becomes
// "{{u}}/<rest>" and the set gets templates {"u": base}, so fsspec reads
// base/<rest> (and template_overrides={"u": ...} moves it again).
void relocate(nlohmann::json& refs, const std::string& root, const std::string& base);

}  // namespace pixeldrill::index::kerchunk

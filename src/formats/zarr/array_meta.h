#pragma once
// Zarr v2 array metadata (.zarray) plus the xarray conventions pixeldrill
// writes beside it (.zattrs with _ARRAY_DIMENSIONS and CF attributes).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/packing.h"
#include "formats/zarr/codec.h"

namespace pixeldrill::zarr {

// "<f4", "|i1", "<i8", ... (little-endian, as numpy spells them).
// NumPy type string, e.g. "<i2"; byte types have no byte order ("|i1").
std::string dtype_string(formats::StorageType t, bool big_endian = false);
formats::StorageType parse_dtype(const std::string& dtype, const std::string& where);

struct ArrayMeta {
  std::vector<uint64_t> shape;
  std::vector<uint64_t> chunks;
  formats::StorageType dtype = formats::StorageType::kFloat32;
  // Zarr fill_value: a number, "NaN", or null (no fill).
  nlohmann::json fill_value = nullptr;
  // 'F' stores each chunk column-major, so one pixel's time series (the
  // first axis) is contiguous and blosc can decode just the blocks holding it.
  char order = 'C';
  Codec codec;

  nlohmann::json to_json() const;
  static ArrayMeta from_json(const nlohmann::json& j, const std::string& where);

  size_t item_size() const;
  size_t chunk_items() const;  // product of chunks
  // Chunks along each axis (ceil(shape / chunks)).
  std::vector<uint64_t> chunk_grid() const;
  // Element offset of (i, j, ...) inside a chunk, honouring `order`.
  size_t offset_in_chunk(const std::vector<uint64_t>& index_in_chunk) const;
  bool operator==(const ArrayMeta&) const = default;
};

// "3.0.12" for chunk indices {3, 0, 12} (dimension_separator ".").
std::string chunk_key(const std::vector<uint64_t>& chunk_index);

}  // namespace pixeldrill::zarr

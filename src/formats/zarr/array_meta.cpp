#include "formats/zarr/array_meta.h"

#include "core/error.h"

namespace pixeldrill::zarr {

using formats::StorageType;

std::string dtype_string(StorageType t, bool big_endian) {
  if (t == StorageType::kInt8) return "|i1";
  if (t == StorageType::kUInt8) return "|u1";
  const char kind =
      t == StorageType::kFloat32 || t == StorageType::kFloat64                              ? 'f'
      : t == StorageType::kUInt16 || t == StorageType::kUInt32 || t == StorageType::kUInt64 ? 'u'
                                                                                            : 'i';
  return std::string{big_endian ? '>' : '<', kind} + std::to_string(formats::storage_size(t));
}

StorageType parse_dtype(const std::string& dtype, const std::string& where) {
  for (StorageType t :
       {StorageType::kInt8, StorageType::kUInt8, StorageType::kInt16, StorageType::kUInt16,
        StorageType::kInt32, StorageType::kUInt32, StorageType::kInt64, StorageType::kUInt64,
        StorageType::kFloat32, StorageType::kFloat64}) {
    if (dtype == dtype_string(t)) return t;
  }
  if (dtype == "<i1" || dtype == "i1") return StorageType::kInt8;
  if (dtype == "<u1" || dtype == "u1") return StorageType::kUInt8;
  throw Error(where + ": dtype '" + dtype + "' is not supported (little-endian numbers only)");
}

nlohmann::json ArrayMeta::to_json() const {
  return {{"chunks", chunks},
          {"compressor", codec.to_json()},
          {"dtype", dtype_string(dtype)},
          {"fill_value", fill_value},
          {"filters", nullptr},
          {"order", std::string(1, order)},
          {"shape", shape},
          {"zarr_format", 2}};
}

namespace {

// Whole non-negative numbers only: nlohmann's get<uint64_t>() would convert
// 5.5e34 (undefined behaviour) or wrap -1 to 2^64 - 1.
std::vector<uint64_t> lengths(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& list = j.at(key);
  if (!list.is_array()) {
    throw Error(ErrorKind::kCorrupt, where + ": " + key + " is not a list of lengths");
  }
  std::vector<uint64_t> out;
  for (const auto& v : list) {
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0)) {
      throw Error(ErrorKind::kCorrupt,
                  where + ": " + key + " holds " + v.dump() + ", not a whole number >= 0");
    }
    out.push_back(v.get<uint64_t>());
  }
  return out;
}

// Damaged or hostile metadata must fail here, not as a 40 GB allocation or
// an overflowing offset later: a decoded chunk stays below blosc's own 2 GiB
// limit and every index fits comfortably in 64 bits.
void check_bounds(const ArrayMeta& m, const std::string& where) {
  constexpr uint64_t kMaxChunkBytes = uint64_t{1} << 31;
  constexpr uint64_t kMaxLength = uint64_t{1} << 40;
  if (m.shape.size() > 8) {
    throw Error(ErrorKind::kCorrupt,
                where + ": " + std::to_string(m.shape.size()) + " dimensions (at most 8)");
  }
  uint64_t bytes = formats::storage_size(m.dtype);
  for (size_t i = 0; i < m.shape.size(); ++i) {
    if (m.shape[i] > kMaxLength || m.chunks[i] > kMaxLength) {
      throw Error(ErrorKind::kCorrupt,
                  where + ": shape or chunks of dimension " + std::to_string(i) + " out of bounds");
    }
    bytes *= m.chunks[i];
    if (bytes > kMaxChunkBytes) {
      throw Error(ErrorKind::kCorrupt, where + ": chunks of more than 2 GiB (damaged metadata?)");
    }
  }
}

}  // namespace

ArrayMeta ArrayMeta::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    // Compared as JSON, never converted: a float like 2e43 made the int
    // conversion undefined (found by zarr_chunk_fuzz).
    if (!j.contains("zarr_format") || j["zarr_format"] != nlohmann::json(2)) {
      throw Error(ErrorKind::kCorrupt, where + ": not a Zarr v2 array");
    }
    ArrayMeta m;
    m.shape = lengths(j, "shape", where);
    m.chunks = lengths(j, "chunks", where);
    if (m.shape.size() != m.chunks.size()) throw Error(where + ": shape and chunks differ in rank");
    for (uint64_t c : m.chunks) {
      if (c == 0) throw Error(ErrorKind::kCorrupt, where + ": zero chunk length");
    }
    m.dtype = parse_dtype(j.at("dtype").get<std::string>(), where);
    check_bounds(m, where);
    m.fill_value = j.value("fill_value", nlohmann::json());
    const std::string order = j.value("order", "C");
    if (order != "C" && order != "F") throw Error(where + ": order '" + order + "'");
    m.order = order[0];
    if (j.contains("filters") && !j["filters"].is_null() && !j["filters"].empty()) {
      throw Error(where + ": filters are not supported");
    }
    m.codec = Codec::from_json(j.value("compressor", nlohmann::json()), where);
    if (j.contains("dimension_separator") && j["dimension_separator"] != ".") {
      throw Error(where + ": dimension_separator '/' is not supported");
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed .zarray: " + e.what());
  }
}

size_t ArrayMeta::item_size() const { return formats::storage_size(dtype); }

size_t ArrayMeta::chunk_items() const {
  size_t n = 1;
  for (uint64_t c : chunks) n *= c;
  return n;
}

std::vector<uint64_t> ArrayMeta::chunk_grid() const {
  std::vector<uint64_t> grid(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) grid[i] = (shape[i] + chunks[i] - 1) / chunks[i];
  return grid;
}

size_t ArrayMeta::offset_in_chunk(const std::vector<uint64_t>& idx) const {
  size_t off = 0;
  if (order == 'C') {
    for (size_t i = 0; i < idx.size(); ++i) off = off * chunks[i] + idx[i];
  } else {
    for (size_t i = idx.size(); i-- > 0;) off = off * chunks[i] + idx[i];
  }
  return off;
}

std::string chunk_key(const std::vector<uint64_t>& chunk_index) {
  std::string key;
  for (size_t i = 0; i < chunk_index.size(); ++i) {
    if (i) key += '.';
    key += std::to_string(chunk_index[i]);
  }
  return key.empty() ? "0" : key;
}

}  // namespace pixeldrill::zarr

#include "formats/zarr/chunk_io.h"

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace pixeldrill::zarr {
namespace {
template <typename T>
void put(std::vector<std::byte>& out, T v) {
  std::memcpy(out.data(), &v, sizeof v);
}
}  // namespace

std::vector<std::byte> fill_bytes(const ArrayMeta& meta) {
  using formats::StorageType;
  std::vector<std::byte> out(meta.item_size(), std::byte{0});
  const auto& f = meta.fill_value;
  if (f.is_null()) return out;
  double d = 0;
  if (f.is_string()) {
    const std::string s = f.get<std::string>();
    if (s == "NaN")
      d = std::nan("");
    else if (s == "Infinity")
      d = INFINITY;
    else if (s == "-Infinity")
      d = -INFINITY;
    else
      throw Error("fill_value '" + s + "' is not understood");
  } else {
    d = f.get<double>();
  }
  switch (meta.dtype) {
    case StorageType::kInt8:
      put<int8_t>(out, static_cast<int8_t>(f.is_number_integer() ? f.get<int64_t>() : d));
      break;
    case StorageType::kUInt8:
      put<uint8_t>(out, static_cast<uint8_t>(f.get<int64_t>()));
      break;
    case StorageType::kInt16:
      put<int16_t>(out, static_cast<int16_t>(f.get<int64_t>()));
      break;
    case StorageType::kUInt16:
      put<uint16_t>(out, static_cast<uint16_t>(f.get<int64_t>()));
      break;
    case StorageType::kInt32:
      put<int32_t>(out, static_cast<int32_t>(f.get<int64_t>()));
      break;
    case StorageType::kUInt32:
      put<uint32_t>(out, static_cast<uint32_t>(f.get<int64_t>()));
      break;
    case StorageType::kInt64:
      put<int64_t>(out, f.get<int64_t>());
      break;
    case StorageType::kUInt64:
      put<uint64_t>(out, f.get<uint64_t>());
      break;
    case StorageType::kFloat32:
      put<float>(out, static_cast<float>(d));
      break;
    case StorageType::kFloat64:
      put<double>(out, d);
      break;
  }
  return out;
}

bool is_all_fill(const ArrayMeta& meta, std::span<const std::byte> raw) {
  const auto fill = fill_bytes(meta);
  const size_t w = fill.size();
  const bool nan_fill = meta.fill_value.is_string() && meta.fill_value == "NaN";
  if (nan_fill) {
    // Any NaN payload counts as fill, as numpy's isnan would say.
    if (meta.dtype == formats::StorageType::kFloat32) {
      for (size_t i = 0; i < raw.size(); i += 4) {
        float v;
        std::memcpy(&v, raw.data() + i, 4);
        if (!std::isnan(v)) return false;
      }
      return true;
    }
    for (size_t i = 0; i < raw.size(); i += 8) {
      double v;
      std::memcpy(&v, raw.data() + i, 8);
      if (!std::isnan(v)) return false;
    }
    return true;
  }
  for (size_t i = 0; i < raw.size(); i += w) {
    if (std::memcmp(raw.data() + i, fill.data(), w) != 0) return false;
  }
  return true;
}

size_t write_chunk(const Directory& dir, const std::string& array, const ArrayMeta& meta,
                   const std::vector<uint64_t>& index, std::span<const std::byte> raw,
                   const BeforeChunkWrite& before_write) {
  const std::string key = array + "/" + chunk_key(index);
  if (raw.size() != meta.chunk_items() * meta.item_size()) {
    throw Error(key + ": chunk buffer has the wrong size");
  }
  if (is_all_fill(meta, raw)) {
    if (before_write) before_write({});
    dir.remove(key);
    return 0;
  }
  const auto encoded = meta.codec.compress(raw, meta.item_size());
  if (before_write) before_write(encoded);
  dir.write(key, encoded);
  return encoded.size();
}

bool read_chunk(const Directory& dir, const std::string& array, const ArrayMeta& meta,
                const std::vector<uint64_t>& index, std::span<std::byte> out) {
  const std::string key = array + "/" + chunk_key(index);
  const auto encoded = dir.read(key);
  if (!encoded) {
    const auto fill = fill_bytes(meta);
    for (size_t i = 0; i < out.size(); i += fill.size()) {
      std::memcpy(out.data() + i, fill.data(), fill.size());
    }
    return false;
  }
  meta.codec.decompress(*encoded, out, dir.uri(key));
  return true;
}

}  // namespace pixeldrill::zarr

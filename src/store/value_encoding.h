#pragma once
// How a store holds one variable's values, and the conversion from each
// source file's stored numbers (with that file's own packing) into them:
//  - kFloat:   float32 of the CF-decoded value, NaN for missing ("exact" mode);
//  - kPacked:  an integer with ONE scale_factor/add_offset for the whole store
//              ("packed" mode), quantised with round-half-away-from-zero;
//  - kInteger: integers without scaling (quality_level, flags) kept as they
//              are, with the store's _FillValue for missing.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/packing.h"

namespace pixeldrill::store {

struct ValueEncoding {
  enum class Kind { kFloat, kPacked, kInteger };
  Kind kind = Kind::kFloat;
  catalog::StorageType type = catalog::StorageType::kFloat32;
  double fill = 0;    // kPacked / kInteger: the stored fill number
  double scale = 1;   // kPacked only
  double offset = 0;  // kPacked only

  // How a reader decodes the store's numbers (what SeriesBuilder is given).
  catalog::Packing store_packing() const;
  // The .zarray fill_value: "NaN" or the fill number.
  nlohmann::json fill_json() const;
  size_t item_size() const { return catalog::storage_size(type); }

  // Converts n stored numbers of a source file (source type and packing) to
  // store items. Throws Error naming `where` when a value cannot be held
  // (outside the packed range, or an integer equal to the store's fill).
  void encode(const void* src, catalog::StorageType src_type, const catalog::Packing& src_packing,
              size_t n, void* out, const std::string& where) const;
  // Writes n missing values.
  void encode_missing(size_t n, void* out) const;

  nlohmann::json to_json() const;
  static ValueEncoding from_json(const nlohmann::json& j);
  bool operator==(const ValueEncoding&) const = default;
};

// Largest and smallest storable value of an integer type (the fill is
// taken from the bottom of the range, so packed values use [min+1, max]).
double type_min(catalog::StorageType t);
double type_max(catalog::StorageType t);
bool is_integer(catalog::StorageType t);

}  // namespace pixeldrill::store

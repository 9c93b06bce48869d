#pragma once
// How one variable of one file turns stored numbers into physical values
// (the CF encoding every format reader reports):
// CF _FillValue / missing_value masking, then scale_factor and add_offset,
// in xarray's order (raw * scale_factor + add_offset, in double).
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

namespace pixeldrill::formats {

enum class StorageType : uint8_t {
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64
};

size_t storage_size(StorageType t);
const char* storage_name(StorageType t);  // netCDF CDL names: byte, short, int, float, ...

struct Packing {
  StorageType type = StorageType::kFloat32;
  std::optional<double> fill_value;     // _FillValue, in stored units
  std::optional<double> missing_value;  // missing_value, in stored units
  std::optional<double> scale_factor;
  std::optional<double> add_offset;

  bool is_missing(double raw) const {
    return std::isnan(raw) || (fill_value && raw == *fill_value) ||
           (missing_value && raw == *missing_value);
  }
  // Physical value of a stored number, NaN when it is a fill.
  double decode(double raw) const {
    if (is_missing(raw)) return std::nan("");
    double v = raw;
    if (scale_factor) v *= *scale_factor;
    if (add_offset) v += *add_offset;
    return v;
  }
  bool operator==(const Packing&) const = default;
};

}  // namespace pixeldrill::formats

#include "server/served_types.h"

#include <limits>

namespace pixeldrill::server {
namespace {

bool packed(const drill::DatasetVariable& v) {
  return v.packing.scale_factor.has_value() || v.packing.add_offset.has_value();
}

}  // namespace

std::string erddap_type(const drill::DatasetVariable& v) {
  if (packed(v)) return "double";
  switch (v.type) {
    case formats::StorageType::kInt8:
    case formats::StorageType::kUInt8:
      return "byte";
    case formats::StorageType::kInt16:
    case formats::StorageType::kUInt16:
      return "short";
    case formats::StorageType::kInt32:
    case formats::StorageType::kUInt32:
      return "int";
    case formats::StorageType::kInt64:
    case formats::StorageType::kUInt64:
      return "long";
    case formats::StorageType::kFloat32:
      return "float";
    case formats::StorageType::kFloat64:
      return "double";
  }
  return "double";
}

std::string dap_type(const std::string& erddap_type) {
  if (erddap_type == "byte") return "Byte";
  if (erddap_type == "short") return "Int16";
  if (erddap_type == "int") return "Int32";
  if (erddap_type == "float") return "Float32";
  if (erddap_type == "String") return "String";
  return "Float64";  // double, and long (DAP2 has no 64-bit integer; ERDDAP sends doubles)
}

bool is_integer_type(const std::string& erddap_type) {
  return erddap_type == "byte" || erddap_type == "short" || erddap_type == "int" ||
         erddap_type == "long";
}

bool is_data_valued_attribute(const std::string& name) {
  for (const char* a : {"valid_min", "valid_max", "valid_range", "actual_range", "_FillValue",
                        "missing_value", "flag_values", "flag_masks"}) {
    if (name == a) return true;
  }
  return false;
}

nlohmann::json served_attributes(const drill::DatasetVariable& v) {
  nlohmann::json attrs = v.attributes.is_object() ? v.attributes : nlohmann::json::object();
  // Missing values are sent as NaN on every backend, whatever marked them in
  // the files (the index and store keep no per-file fill attributes).
  for (const char* a : {"_FillValue", "missing_value"}) attrs.erase(a);
  const std::string type = erddap_type(v);
  if (type == "float" || type == "double") {
    attrs["_FillValue"] = std::numeric_limits<double>::quiet_NaN();
  }
  if (!packed(v)) return attrs;
  for (const char* a : {"scale_factor", "add_offset"}) attrs.erase(a);
  const auto decode = [&](nlohmann::json& x) {
    if (x.is_number()) x = v.packing.decode(x.get<double>());
  };
  for (const char* a : {"valid_min", "valid_max", "valid_range", "actual_range"}) {
    if (!attrs.contains(a)) continue;
    if (attrs[a].is_array()) {
      for (auto& x : attrs[a]) decode(x);
    } else {
      decode(attrs[a]);
    }
  }
  return attrs;
}

}  // namespace pixeldrill::server

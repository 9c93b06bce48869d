#include "catalog/nc_metadata.h"

#include <algorithm>
#include <cmath>

#include "catalog/cf_coordinates.h"
#include "catalog/time_axis.h"
#include "core/error.h"

namespace pixeldrill::catalog {
using formats::netcdf::NcFile;

StorageType storage_type(nc_type type, const std::string& where) {
  switch (type) {
    case NC_BYTE:
      return StorageType::kInt8;
    case NC_UBYTE:
      return StorageType::kUInt8;
    case NC_SHORT:
      return StorageType::kInt16;
    case NC_USHORT:
      return StorageType::kUInt16;
    case NC_INT:
      return StorageType::kInt32;
    case NC_UINT:
      return StorageType::kUInt32;
    case NC_INT64:
      return StorageType::kInt64;
    case NC_UINT64:
      return StorageType::kUInt64;
    case NC_FLOAT:
      return StorageType::kFloat32;
    case NC_DOUBLE:
      return StorageType::kFloat64;
    default:
      throw Error(where + ": not a numeric variable (netCDF type " + std::to_string(type) + ")");
  }
}

Packing read_packing(const NcFile& file, int varid) {
  Packing p;
  p.type = storage_type(file.variable_type(varid), file.path() + ": " + file.variable_name(varid));
  p.fill_value = file.number_attribute(varid, "_FillValue");
  p.missing_value = file.number_attribute(varid, "missing_value");
  p.scale_factor = file.number_attribute(varid, "scale_factor");
  p.add_offset = file.number_attribute(varid, "add_offset");
  if (file.text_attribute(varid, "_Unsigned").value_or("") == "true") {
    const StorageType unsigned_type = p.type == StorageType::kInt8    ? StorageType::kUInt8
                                      : p.type == StorageType::kInt16 ? StorageType::kUInt16
                                      : p.type == StorageType::kInt32 ? StorageType::kUInt32
                                      : p.type == StorageType::kInt64 ? StorageType::kUInt64
                                                                      : p.type;
    if (unsigned_type != p.type) {
      p.type = unsigned_type;
      const double wrap = std::ldexp(1.0, static_cast<int>(storage_size(p.type)) * 8);
      for (auto* v : {&p.fill_value, &p.missing_value}) {
        if (*v && **v < 0) **v += wrap;
      }
    }
  }
  return p;
}

namespace {

std::string attr(const NcFile& f, int varid, const char* name) {
  return f.text_attribute(varid, name).value_or("");
}

Axis read_axis(const NcFile& f, int varid, const std::string& name) {
  Axis a;
  a.name = name;
  a.values = f.read_all(varid);
  a.float32 = f.variable_type(varid) == NC_FLOAT;
  a.units = attr(f, varid, "units");
  require_monotonic(a, f.path());
  return a;
}

}  // namespace

FileMetadata read_metadata(const NcFile& f) {
  FileMetadata m;
  m.path = f.path();
  const auto names = f.variable_names();
  std::vector<std::string> coordinates;
  for (int v = 0; v < static_cast<int>(names.size()); ++v) {
    const auto dims = f.variable_dimensions(v);
    if (dims.size() != 1 || dims[0].name != names[static_cast<size_t>(v)]) continue;
    const std::string& name = names[static_cast<size_t>(v)];
    switch (coordinate_role(name, attr(f, v, "standard_name"), attr(f, v, "units"),
                            attr(f, v, "axis"))) {
      case CoordinateRole::kLat:
        if (m.grid.lat.name.empty()) m.grid.lat = read_axis(f, v, name);
        break;
      case CoordinateRole::kLon:
        if (m.grid.lon.name.empty()) m.grid.lon = read_axis(f, v, name);
        break;
      case CoordinateRole::kTime:
        if (m.time_name.empty()) {
          m.time_name = name;
          const TimeUnits units = TimeUnits::parse(attr(f, v, "units"), attr(f, v, "calendar"),
                                                   f.path() + ": variable " + name);
          for (double t : f.read_all(v)) m.times.push_back(units.to_unix(t));
        }
        break;
      case CoordinateRole::kNone:
        break;
    }
    coordinates.push_back(name);
  }
  if (m.grid.lat.name.empty() || m.grid.lon.name.empty()) {
    throw Error(f.path() +
                ": no latitude/longitude coordinate variables (CF units degrees_north / "
                "degrees_east)");
  }
  if (m.time_name.empty()) {
    throw Error(f.path() + ": no time coordinate variable (CF units '<unit> since <date>')");
  }
  for (int v = 0; v < static_cast<int>(names.size()); ++v) {
    const std::string& name = names[static_cast<size_t>(v)];
    if (std::find(coordinates.begin(), coordinates.end(), name) != coordinates.end()) continue;
    const auto dims = f.variable_dimensions(v);
    bool has_lat = false, has_lon = false;
    VariableInfo info;
    for (const auto& d : dims) {
      has_lat = has_lat || d.name == m.grid.lat.name;
      has_lon = has_lon || d.name == m.grid.lon.name;
      info.dims.push_back(d.name);
      info.shape.push_back(d.length);
    }
    if (!has_lat || !has_lon) continue;  // not a gridded data variable
    const nc_type type = f.variable_type(v);
    if (type == NC_CHAR || type == NC_STRING || type > NC_STRING) continue;
    info.name = name;
    info.varid = v;
    info.packing = read_packing(f, v);
    info.unsigned_reinterpret = info.packing.type != storage_type(type, f.path());
    info.chunks = f.chunking(v);
    info.units = attr(f, v, "units");
    info.long_name = attr(f, v, "long_name");
    info.standard_name = attr(f, v, "standard_name");
    m.variables.emplace(name, std::move(info));
  }
  return m;
}

}  // namespace pixeldrill::catalog

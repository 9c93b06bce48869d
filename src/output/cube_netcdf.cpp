#include "output/cube_netcdf.h"

#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/series_builder.h"
#include "output/format_number.h"
#include "output/nc_file_writer.h"
#include "store/value_encoding.h"

namespace pixeldrill::output {
namespace {

using formats::StorageType;
using nlohmann::json;

constexpr double kKelvinAtZeroCelsius = 273.15;

nc_type nc_type_of(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
      return NC_BYTE;
    case StorageType::kUInt8:
      return NC_UBYTE;
    case StorageType::kInt16:
      return NC_SHORT;
    case StorageType::kUInt16:
      return NC_USHORT;
    case StorageType::kInt32:
      return NC_INT;
    case StorageType::kUInt32:
      return NC_UINT;
    case StorageType::kInt64:
      return NC_INT64;
    case StorageType::kUInt64:
      return NC_UINT64;
    case StorageType::kFloat32:
      return NC_FLOAT;
    case StorageType::kFloat64:
      return NC_DOUBLE;
  }
  return NC_FLOAT;
}

bool is_float(StorageType t) { return t == StorageType::kFloat32 || t == StorageType::kFloat64; }

// netCDF's default fill of each integer type, for packed variables that
// declare none (masked values still need a number).
double default_fill(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
      return NC_FILL_BYTE;
    case StorageType::kUInt8:
      return NC_FILL_UBYTE;
    case StorageType::kInt16:
      return NC_FILL_SHORT;
    case StorageType::kUInt16:
      return NC_FILL_USHORT;
    case StorageType::kInt32:
      return NC_FILL_INT;
    case StorageType::kUInt32:
      return NC_FILL_UINT;
    default:
      return std::nan("");
  }
}

// How one variable is written: the source's type and packing when every
// step shares one, else float32 with a NaN fill.
struct Encoding {
  StorageType type = StorageType::kFloat32;
  std::optional<double> scale, offset;
  double fill = std::nan("");
  bool packed() const { return !is_float(type); }
};

Encoding choose_encoding(const std::optional<formats::Packing>& common, bool celsius) {
  Encoding e;
  if (!common) return e;
  const formats::Packing& p = *common;
  const bool scaled = p.scale_factor || p.add_offset;
  if (is_float(p.type)) {
    if (scaled) return e;  // scaled floats are rare; their decoded value is written
    e.type = p.type;
    e.fill = p.fill_value.value_or(p.missing_value.value_or(std::nan("")));
    return e;
  }
  if (celsius && !scaled) return e;  // an integer cannot hold the shifted values
  e.type = p.type;
  e.scale = p.scale_factor;
  e.offset = p.add_offset;
  // --celsius keeps the stored integers: only the offset moves.
  if (celsius) e.offset = p.add_offset.value_or(0.0) - kKelvinAtZeroCelsius;
  e.fill = p.fill_value.value_or(p.missing_value.value_or(default_fill(p.type)));
  return e;
}

template <typename T>
void put(std::byte* out, size_t i, double x) {
  const T v = static_cast<T>(x);
  std::memcpy(out + i * sizeof(T), &v, sizeof(T));
}

void store(StorageType t, std::byte* out, size_t i, double x) {
  switch (t) {
    case StorageType::kInt8:
      return put<int8_t>(out, i, x);
    case StorageType::kUInt8:
      return put<uint8_t>(out, i, x);
    case StorageType::kInt16:
      return put<int16_t>(out, i, x);
    case StorageType::kUInt16:
      return put<uint16_t>(out, i, x);
    case StorageType::kInt32:
      return put<int32_t>(out, i, x);
    case StorageType::kUInt32:
      return put<uint32_t>(out, i, x);
    case StorageType::kInt64:
      return put<int64_t>(out, i, x);
    case StorageType::kUInt64:
      return put<uint64_t>(out, i, x);
    case StorageType::kFloat32:
      return put<float>(out, i, x);
    case StorageType::kFloat64:
      return put<double>(out, i, x);
  }
}

// Decoded values back to stored numbers: raw = round((value - offset) / scale),
// which recovers the source's integers exactly (the decode error is far
// below half a quantum).
void encode(const Encoding& e, const std::vector<double>& values, std::vector<std::byte>& out,
            const std::string& variable, const std::string& path) {
  const size_t size = formats::storage_size(e.type);
  out.resize(values.size() * size);
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (std::isnan(v)) {
      store(e.type, out.data(), i, e.fill);
      continue;
    }
    if (!e.packed()) {
      store(e.type, out.data(), i, v);
      continue;
    }
    const double raw = std::nearbyint((v - e.offset.value_or(0.0)) / e.scale.value_or(1.0));
    if (raw < store::type_min(e.type) || raw > store::type_max(e.type) || raw == e.fill) {
      throw Error(ErrorKind::kInternal, path + ": variable " + variable + ": value " +
                                            format_value(v) + " does not fit its packing");
    }
    store(e.type, out.data(), i, raw);
  }
}

bool float_exact(double x) { return static_cast<double>(static_cast<float>(x)) == x; }

// A JSON attribute value (as the dataset describes it) in a NetCDF type:
// integers in the variable's own integer type when they fit (flag_values),
// floats as float when float holds them exactly (what the source had).
void put_attribute(const NcFileWriter& w, int varid, const std::string& name, const json& value,
                   StorageType var_type) {
  if (value.is_string()) return w.text(varid, name.c_str(), value.get<std::string>());
  const json items = value.is_array() ? value : json::array({value});
  if (items.empty()) return;
  std::vector<double> numbers;
  bool integer = true;
  for (const auto& x : items) {
    if (!x.is_number()) return;  // objects, booleans, mixed arrays: nothing CF would read
    numbers.push_back(x.get<double>());
    integer = integer && x.is_number_integer();
  }
  const int nc = w.id();
  if (integer) {
    StorageType t = is_float(var_type) ? StorageType::kInt32 : var_type;
    for (double x : numbers) {
      if (x < store::type_min(t) || x > store::type_max(t)) t = StorageType::kInt64;
    }
    std::vector<std::byte> bytes(numbers.size() * formats::storage_size(t));
    for (size_t i = 0; i < numbers.size(); ++i) store(t, bytes.data(), i, numbers[i]);
    return w.check(
        nc_put_att(nc, varid, name.c_str(), nc_type_of(t), numbers.size(), bytes.data()));
  }
  if (std::all_of(numbers.begin(), numbers.end(), float_exact)) {
    std::vector<float> f(numbers.begin(), numbers.end());
    return w.check(nc_put_att_float(nc, varid, name.c_str(), NC_FLOAT, f.size(), f.data()));
  }
  w.check(nc_put_att_double(nc, varid, name.c_str(), NC_DOUBLE, numbers.size(), numbers.data()));
}

// Attributes that describe the source file's encoding or extent, not the
// cube's: rewritten for the cube, not copied.
bool copied_variable_attribute(const std::string& name) {
  static const std::set<std::string> skip = {"scale_factor", "add_offset", "missing_value",
                                             "valid_min",    "valid_max",  "valid_range",
                                             "coordinates",  "units"};
  return !name.empty() && name[0] != '_' && !skip.count(name);
}

bool copied_global_attribute(const std::string& name) {
  static const std::set<std::string> skip = {"Conventions",
                                             "start_time",
                                             "stop_time",
                                             "time_coverage_start",
                                             "time_coverage_end",
                                             "northernmost_latitude",
                                             "southernmost_latitude",
                                             "easternmost_longitude",
                                             "westernmost_longitude",
                                             "geospatial_lat_min",
                                             "geospatial_lat_max",
                                             "geospatial_lon_min",
                                             "geospatial_lon_max",
                                             "history"};
  return !name.empty() && name[0] != '_' && !skip.count(name);
}

void put_fill(const NcFileWriter& w, int varid, const Encoding& e) {
  std::byte bytes[8];
  store(e.type, bytes, 0, e.fill);
  w.check(nc_put_att(w.id(), varid, "_FillValue", nc_type_of(e.type), 1, bytes));
}

void put_number(const NcFileWriter& w, int varid, const char* name, double x) {
  put_attribute(w, varid, name, json(x), StorageType::kFloat64);
}

int define_axis(const NcFileWriter& w, const catalog::Axis& axis, int dim, const char* standard,
                const char* fallback_units, const char* axis_letter) {
  int id = -1;
  w.check(nc_def_var(w.id(), axis.name.c_str(), axis.float32 ? NC_FLOAT : NC_DOUBLE, 1, &dim, &id));
  w.text(id, "standard_name", standard);
  w.text(id, "long_name", standard);
  w.text(id, "units", axis.units.empty() ? fallback_units : axis.units);
  w.text(id, "axis", axis_letter);
  return id;
}

void write_axis(const NcFileWriter& w, int id, const catalog::Axis& axis) {
  if (axis.float32) {
    std::vector<float> f(axis.values.begin(), axis.values.end());
    w.check(nc_put_var_float(w.id(), id, f.data()));
  } else {
    w.check(nc_put_var_double(w.id(), id, axis.values.data()));
  }
}

}  // namespace

drill::Series write_cube_netcdf(const drill::Dataset& dataset, const drill::Query& query,
                                const CubeLayout& layout, const std::string& path,
                                const std::function<void(const CubeBlock&)>& also) {
  const auto info = dataset.info();
  const auto common = common_packings(dataset, query, layout);
  const size_t nvar = layout.variables.size();
  const size_t ny = layout.lat.size(), nx = layout.lon.size(), npix = ny * nx;
  // Chunks of (ct, up to 1024, up to 1024) values: about 64k values deep in
  // time for small boxes (no deeper than the cube); blocks are whole multiples of ct steps.
  const size_t ct =
      std::clamp<size_t>((size_t{1} << 16) / npix, 1, std::max<size_t>(1, layout.times.size()));
  const size_t block_steps = std::max<size_t>(1, (size_t{1} << 18) / npix / ct) * ct;

  const std::string temp = temp_path_beside(path);
  drill::Series summary;
  try {
    NcFileWriter w(temp, path);
    const int nc = w.id();
    int time_dim, lat_dim, lon_dim;
    w.check(nc_def_dim(nc, info->time_name.c_str(), NC_UNLIMITED, &time_dim));
    w.check(nc_def_dim(nc, layout.lat.name.c_str(), ny, &lat_dim));
    w.check(nc_def_dim(nc, layout.lon.name.c_str(), nx, &lon_dim));
    for (auto it = info->global_attributes.begin(); it != info->global_attributes.end(); ++it) {
      if (copied_global_attribute(it.key())) {
        put_attribute(w, NC_GLOBAL, it.key(), it.value(), StorageType::kFloat64);
      }
    }
    w.text(NC_GLOBAL, "Conventions", "CF-1.8");
    w.text(NC_GLOBAL, "history",
           "pixeldrill drill --box: (time, lat, lon) subset of " + info->source);
    put_number(w, NC_GLOBAL, "geospatial_lat_min", layout.lat.min());
    put_number(w, NC_GLOBAL, "geospatial_lat_max", layout.lat.max());
    put_number(w, NC_GLOBAL, "geospatial_lon_min", layout.lon.min());
    put_number(w, NC_GLOBAL, "geospatial_lon_max", layout.lon.max());

    int time_var;
    w.check(nc_def_var(nc, info->time_name.c_str(), NC_INT64, 1, &time_dim, &time_var));
    const size_t time_chunk = std::min(block_steps, std::max<size_t>(1, layout.times.size()));
    w.check(nc_def_var_chunking(nc, time_var, NC_CHUNKED, &time_chunk));
    w.check(nc_def_var_deflate(nc, time_var, 1, 1, 4));
    w.text(time_var, "standard_name", "time");
    w.text(time_var, "long_name", "time");
    w.text(time_var, "units", "seconds since 1970-01-01 00:00:00");
    w.text(time_var, "calendar", "standard");
    w.text(time_var, "axis", "T");
    const int lat_var = define_axis(w, layout.lat, lat_dim, "latitude", "degrees_north", "Y");
    const int lon_var = define_axis(w, layout.lon, lon_dim, "longitude", "degrees_east", "X");

    std::vector<Encoding> enc(nvar);
    std::vector<int> var_ids(nvar);
    const int dims[3] = {time_dim, lat_dim, lon_dim};
    const size_t chunks[3] = {ct, std::min<size_t>(ny, 1024), std::min<size_t>(nx, 1024)};
    for (size_t v = 0; v < nvar; ++v) {
      const std::string& name = layout.variables[v];
      const drill::DatasetVariable* dv = info->find(name);
      const drill::Column column = dv ? dv->column : drill::Column{name, "", "", ""};
      const bool celsius = query.celsius && drill::SeriesBuilder::converts_to_celsius(column);
      enc[v] = choose_encoding(common[v], celsius);
      w.check(nc_def_var(nc, name.c_str(), nc_type_of(enc[v].type), 3, dims, &var_ids[v]));
      w.check(nc_def_var_chunking(nc, var_ids[v], NC_CHUNKED, chunks));
      w.check(nc_def_var_deflate(nc, var_ids[v], 1, 1, 4));
      put_fill(w, var_ids[v], enc[v]);
      if (dv) {
        for (auto it = dv->attributes.begin(); it != dv->attributes.end(); ++it) {
          if (copied_variable_attribute(it.key())) {
            put_attribute(w, var_ids[v], it.key(), it.value(), enc[v].type);
          }
        }
      }
      const std::string units = celsius ? drill::kCelsiusUnits : column.units;
      if (!units.empty()) w.text(var_ids[v], "units", units);
      if (enc[v].scale) put_number(w, var_ids[v], "scale_factor", *enc[v].scale);
      if (enc[v].offset) put_number(w, var_ids[v], "add_offset", *enc[v].offset);
    }
    w.check(nc_enddef(nc));
    write_axis(w, lat_var, layout.lat);
    write_axis(w, lon_var, layout.lon);

    size_t written = 0;
    std::vector<std::byte> bytes;
    int64_t first_time = 0, last_time = 0;
    summary = stream_cube(
        dataset, query, layout,
        [&](const CubeBlock& block) {
          const size_t nt = block.times.size();
          const size_t start[3] = {written, 0, 0}, count[3] = {nt, ny, nx};
          const std::vector<long long> t(block.times.begin(), block.times.end());
          w.check(nc_put_vara(nc, time_var, start, count, t.data()));
          for (size_t v = 0; v < nvar; ++v) {
            encode(enc[v], block.values[v], bytes, layout.variables[v], path);
            w.check(nc_put_vara(nc, var_ids[v], start, count, bytes.data()));
          }
          if (written == 0) first_time = block.times.front();
          last_time = block.times.back();
          written += nt;
          if (also) also(block);
        },
        block_steps * npix);
    w.check(nc_redef(nc));
    if (written > 0) {
      w.text(NC_GLOBAL, "time_coverage_start", format_iso8601(first_time));
      w.text(NC_GLOBAL, "time_coverage_end", format_iso8601(last_time));
    }
    if (summary.partial()) {
      std::string all;
      for (const auto& p : summary.problems) all += p.message() + "\n";
      w.text(NC_GLOBAL, "pixeldrill_problems", all);
    }
    w.check(nc_enddef(nc));
    w.close();
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
  commit_temp(temp, path);
  return summary;
}

}  // namespace pixeldrill::output

#include "store/store_metadata.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

#include "core/civil_time.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/utf8.h"
#include "formats/netcdf/nc_file.h"
#include "formats/zarr/chunk_io.h"
#include "store/chunk_manifest.h"

namespace pixeldrill::store {
namespace {
using nlohmann::json;

// Attributes that describe the source's encoding, not the store's.
const std::set<std::string> kEncodingAttributes = {"_FillValue",  "missing_value", "scale_factor",
                                                   "add_offset",  "valid_min",     "valid_max",
                                                   "valid_range", "_Unsigned",     "_ChunkSizes"};

json without(json attrs, const std::set<std::string>& drop) {
  for (const auto& name : drop) attrs.erase(name);
  return attrs;
}

// valid_min / valid_max re-expressed in the store's units.
void convert_valid_range(const json& src, const catalog::Packing& first, const ValueEncoding& enc,
                         json& out) {
  for (const char* name : {"valid_min", "valid_max"}) {
    if (!src.contains(name) || !src[name].is_number()) continue;
    const double raw = src[name].get<double>();
    double phys = raw * first.scale_factor.value_or(1.0) + first.add_offset.value_or(0.0);
    switch (enc.kind) {
      case ValueEncoding::Kind::kInteger:
        out[name] = src[name];
        break;
      case ValueEncoding::Kind::kFloat:
        out[name] = static_cast<double>(static_cast<float>(phys));
        break;
      case ValueEncoding::Kind::kPacked:
        out[name] = static_cast<int64_t>(std::round((phys - enc.offset) / enc.scale));
        break;
    }
  }
}

// Source global attributes that describe one file's extent, making or
// identity rather than the store: recomputed (time_coverage_*, date_created,
// history, source, geospatial_*_min/max) or left out.
const std::set<std::string> kFileOnlyGlobals = {"time_coverage_start",
                                                "time_coverage_end",
                                                "start_time",
                                                "stop_time",
                                                "date_created",
                                                "date_modified",
                                                "date_issued",
                                                "history",
                                                "source",
                                                "uuid",
                                                "file_quality_level",
                                                "netcdf_version_id",
                                                "NCO",
                                                "geospatial_lat_min",
                                                "geospatial_lat_max",
                                                "geospatial_lon_min",
                                                "geospatial_lon_max"};

void set_time_coverage(json& global, const std::vector<int64_t>& times) {
  if (times.empty()) {
    global.erase("time_coverage_start");
    global.erase("time_coverage_end");
    return;
  }
  const auto [lo, hi] = std::minmax_element(times.begin(), times.end());
  global["time_coverage_start"] = format_iso8601(*lo);
  global["time_coverage_end"] = format_iso8601(*hi);
}

void write_coordinate(const zarr::Directory& dir, const Collection& c, const std::string& path,
                      const catalog::Axis& axis, const StoreState& state) {
  catalog::StorageType type = c.variable(path, axis.name).type;
  if (type != catalog::StorageType::kFloat64) type = catalog::StorageType::kFloat32;
  zarr::ArrayMeta meta;
  meta.shape = {axis.size()};
  meta.chunks = {axis.size()};
  meta.dtype = type;
  meta.codec = state.codec;
  std::vector<std::byte> bytes(axis.size() * catalog::storage_size(type));
  for (size_t i = 0; i < axis.size(); ++i) {
    if (type == catalog::StorageType::kFloat32) {
      const float v = static_cast<float>(axis.values[i]);
      std::memcpy(bytes.data() + i * 4, &v, 4);
    } else {
      std::memcpy(bytes.data() + i * 8, &axis.values[i], 8);
    }
  }
  std::optional<ChunkManifestWriter> manifest;
  if (state.chunk_manifest) manifest.emplace(dir, axis.name, 0, 1);
  zarr::write_chunk(dir, axis.name, meta, {0}, bytes, [&](std::span<const std::byte> stored) {
    if (manifest) manifest->before_write(0, stored);
  });
  if (manifest) manifest->commit();
  dir.write_json(axis.name + "/.zarray", meta.to_json());
  json attrs = without(c.attributes(path, axis.name), {"_FillValue", "missing_value"});
  attrs["_ARRAY_DIMENSIONS"] = {axis.name};
  dir.write_json(axis.name + "/.zattrs", attrs);
}
}  // namespace

void create_store_metadata(const zarr::Directory& dir, const Collection& c,
                           const StoreState& state) {
  const auto& first = c.files.front();
  const auto& grid = first.grid;
  dir.write_json(".zgroup", {{"zarr_format", 2}});
  json global = without(c.attributes(first.path, ""), kFileOnlyGlobals);
  const std::string source = printable_utf8(state.source);
  std::string chunks;
  for (uint64_t n : state.chunks) chunks += (chunks.empty() ? "" : ",") + std::to_string(n);
  const std::string created = format_iso8601(creation_time());
  global["date_created"] = created;
  global["history"] = created + " pixeldrill convert " + source + " (mode " + state.mode +
                      ", chunks " + chunks + ")";
  global["source"] = "pixeldrill convert of " + source;
  const auto extent = [](const catalog::Axis& a) {
    return std::minmax_element(a.values.begin(), a.values.end());
  };
  if (!grid.lat.values.empty() && !grid.lon.values.empty()) {
    const auto [lat_lo, lat_hi] = extent(grid.lat);
    const auto [lon_lo, lon_hi] = extent(grid.lon);
    global["geospatial_lat_min"] = static_cast<double>(static_cast<float>(*lat_lo));
    global["geospatial_lat_max"] = static_cast<double>(static_cast<float>(*lat_hi));
    global["geospatial_lon_min"] = static_cast<double>(static_cast<float>(*lon_lo));
    global["geospatial_lon_max"] = static_cast<double>(static_cast<float>(*lon_hi));
  }
  set_time_coverage(global, state.times);
  // Flat values only: xarray's to_netcdf refuses a dict-valued attribute.
  global[kStoreAttribute] = kStoreVersion;
  global["pixeldrill_store_source"] = source;
  global["pixeldrill_store_mode"] = state.mode;
  global["pixeldrill_store_time"] = first.time_name;
  dir.write_json(".zattrs", global);
  write_coordinate(dir, c, first.path, grid.lat, state);
  write_coordinate(dir, c, first.path, grid.lon, state);

  zarr::ArrayMeta time;
  time.shape = {0};
  time.chunks = {state.chunks[0]};
  time.dtype = catalog::StorageType::kInt64;
  time.codec = state.codec;
  dir.write_json(first.time_name + "/.zarray", time.to_json());
  json tattrs = without(c.attributes(first.path, first.time_name),
                        {"_FillValue", "missing_value", "units", "calendar", "valid_min",
                         "valid_max", "scale_factor", "add_offset"});
  tattrs["units"] = kTimeUnits;
  tattrs["calendar"] = "gregorian";
  tattrs["_ARRAY_DIMENSIONS"] = {first.time_name};
  dir.write_json(first.time_name + "/.zattrs", tattrs);

  for (const auto& var : state.variables) {
    const catalog::FileMetadata* holder = nullptr;
    for (const auto& f : c.files) {
      if (f.variables.count(var.name)) {
        holder = &f;
        break;
      }
    }
    if (!holder) throw Error(c.spec + ": no file has variable " + var.name);
    zarr::ArrayMeta meta;
    meta.shape = {0, grid.lat.size(), grid.lon.size()};
    meta.chunks = state.chunks;
    meta.dtype = var.encoding.type;
    meta.fill_value = var.encoding.fill_json();
    meta.order = 'F';
    meta.codec = state.codec;
    dir.write_json(var.name + "/.zarray", meta.to_json());
    const json src = c.attributes(holder->path, var.name);
    json attrs = without(src, kEncodingAttributes);
    convert_valid_range(src, holder->variables.at(var.name).packing, var.encoding, attrs);
    if (var.encoding.kind == ValueEncoding::Kind::kPacked) {
      attrs["scale_factor"] = var.encoding.scale;
      attrs["add_offset"] = var.encoding.offset;
    }
    attrs["_ARRAY_DIMENSIONS"] = {first.time_name, grid.lat.name, grid.lon.name};
    dir.write_json(var.name + "/.zattrs", attrs);
  }
  dir.write_consolidated();
}

zarr::ArrayMeta variable_meta(const zarr::Directory& dir, const std::string& name) {
  return zarr::ArrayMeta::from_json(dir.read_json(name + "/.zarray"), dir.uri(name + "/.zarray"));
}

std::string store_time_name(const json& global) {
  const auto it = global.find(kStoreAttribute);
  if (it != global.end() && it->is_object()) return it->value("time", "time");
  const auto name = global.find("pixeldrill_store_time");
  return name != global.end() && name->is_string() ? name->get<std::string>() : "time";
}

std::string time_array_name(const zarr::Directory& dir) {
  const json attrs = dir.read_json(".zattrs");
  if (!attrs.contains(kStoreAttribute)) {
    throw Error(dir.root() + ": not a pixeldrill store (no " + std::string(kStoreAttribute) +
                " attribute)");
  }
  return store_time_name(attrs);
}

void set_time_length(const zarr::Directory& dir, const StoreState& state, uint64_t length) {
  std::vector<std::string> arrays = {time_array_name(dir)};
  for (const auto& v : state.variables) arrays.push_back(v.name);
  for (const auto& name : arrays) {
    json j = dir.read_json(name + "/.zarray");
    j["shape"][0] = length;
    dir.write_json(name + "/.zarray", j);
  }
  json global = dir.read_json(".zattrs");
  set_time_coverage(
      global,
      std::vector<int64_t>(state.times.begin(),
                           state.times.begin() + std::min<uint64_t>(length, state.times.size())));
  dir.write_json(".zattrs", global);
  dir.write_consolidated();
}

}  // namespace pixeldrill::store

#include "drill/store_loader.h"

#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "catalog/time_axis.h"
#include "core/error.h"
#include "core/parallel.h"
#include "drill/resolve.h"
#include "formats/zarr/chunk_io.h"
#include "formats/zarr/directory.h"
#include "io/registry.h"
#include "store/chunk_manifest.h"
#include "store/store_metadata.h"

namespace pixeldrill::drill {
namespace fs = std::filesystem;
using nlohmann::json;
using zarr::ArrayMeta;

double load_number(const std::byte* p, catalog::StorageType t) {
  using catalog::StorageType;
  auto get = [p](auto v) {
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  };
  switch (t) {
    case StorageType::kInt8:
      return get(int8_t{});
    case StorageType::kUInt8:
      return get(uint8_t{});
    case StorageType::kInt16:
      return get(int16_t{});
    case StorageType::kUInt16:
      return get(uint16_t{});
    case StorageType::kInt32:
      return get(int32_t{});
    case StorageType::kUInt32:
      return get(uint32_t{});
    case StorageType::kInt64:
      return get(int64_t{});
    case StorageType::kUInt64:
      return get(uint64_t{});
    case StorageType::kFloat32:
      return get(float{});
    case StorageType::kFloat64:
      return get(double{});
  }
  return 0;
}

// The store changes when its consolidated metadata does.
std::string zmetadata_stamp(const std::string& spec, int64_t* mtime) {
  return io::object_version(zarr::Directory(spec).uri(".zmetadata"), mtime);
}

namespace {

class StoreLoader {
 public:
  StoreLoader(const std::string& spec, OpenedStore& st) : spec_(spec), dir_(spec), st_(st) {}

  // False (probe: nothing read but the first round trip) when `spec` holds
  // no pixeldrill store.
  bool load(bool probe) {
    int64_t mtime = 0;
    st_.spec = spec_;
    // Remotely the version stamp (a HEAD), the metadata and sources.json side
    // by side: one round trip, where reading them in turn took three.
    std::optional<json> zmeta, sources;
    std::exception_ptr stamp_error;
    parallel_for(3, dir_.remote() ? 3 : 1, [&](size_t i) {
      if (i == 0) {
        try {
          st_.stamp = zmetadata_stamp(spec_, &mtime);
        } catch (const Error&) {
          stamp_error = std::current_exception();
        }
      } else if (i == 1) {
        zmeta = dir_.read_json_if_present(".zmetadata");
      } else {
        sources = dir_.read_json_if_present(store::kSourcesKey);
      }
    });
    if (probe && !zmeta && !is_store(dir_.read_json_if_present(".zattrs"))) return false;
    if (!zmeta) dir_.read_json(".zmetadata");  // throws, naming it
    if (stamp_error) std::rethrow_exception(stamp_error);
    const json& md = zmeta->at("metadata");
    const json& global = md.at(".zattrs");
    if (probe && !is_store(global)) return false;
    st_.time_name = store::store_time_name(global);
    if (sources) {
      st_.sources = store::SourceStamp::from_json(*sources, dir_.uri(store::kSourcesKey));
      st_.verify = st_.sources->chunk_manifest;
      check_layout(*zmeta);
    }
    auto& arrays = st_.arrays;
    for (auto it = md.begin(); it != md.end(); ++it) {
      const std::string key = it.key();
      if (!key.ends_with("/.zarray")) continue;
      const std::string name = key.substr(0, key.size() - 8);
      StoreArray a;
      a.meta = ArrayMeta::from_json(it.value(), spec_ + "/" + key);
      a.attrs = md.value(name + "/.zattrs", json::object());
      a.packing.type = a.meta.dtype;
      if (a.meta.fill_value.is_string()) {
        a.packing.fill_value = std::nan("");
      } else if (a.meta.fill_value.is_number()) {
        a.packing.fill_value = a.meta.fill_value.get<double>();
      }
      if (a.attrs.contains("scale_factor"))
        a.packing.scale_factor = a.attrs["scale_factor"].get<double>();
      if (a.attrs.contains("add_offset"))
        a.packing.add_offset = a.attrs["add_offset"].get<double>();
      arrays[name] = std::move(a);
    }
    auto info = std::make_shared<DatasetInfo>();
    info->source = spec_;
    info->kind = "store";
    info->version = st_.stamp;
    info->modified = mtime;
    info->time_name = st_.time_name;
    info->global_attributes = global;
    const auto dims = [&](const std::string& name) {
      return arrays.count(name) ? arrays[name].attrs.value("_ARRAY_DIMENSIONS", json::array())
                                : json::array();
    };
    // The data variables are the 3-D arrays; their dimension names give the grid axes.
    for (const auto& [name, a] : arrays) {
      const json d = dims(name);
      if (a.meta.shape.size() == 3 && d.size() == 3) {
        st_.data_vars.push_back(name);
        info->grid.lat.name = d[1].get<std::string>();
        info->grid.lon.name = d[2].get<std::string>();
      }
    }
    if (st_.data_vars.empty()) {
      throw Error(ErrorKind::kCorrupt, spec_ + ": store holds no (time, lat, lon) variables");
    }
    // The three coordinates side by side: remotely each is a few round trips.
    const std::vector<std::string> coords = {info->grid.lat.name, info->grid.lon.name,
                                             st_.time_name};
    std::vector<std::vector<double>> coord_values(coords.size());
    parallel_for(coords.size(), dir_.remote() ? 3 : 1,
                 [&](size_t i) { coord_values[i] = read_1d(coords[i]); });
    info->grid.lat.values = std::move(coord_values[0]);
    info->grid.lon.values = std::move(coord_values[1]);
    for (catalog::Axis* axis : {&info->grid.lat, &info->grid.lon}) {
      // Nearest-pixel lookup rounds the target to float32 for float32
      // coordinates, as xarray does and as the NetCDF and index backends do.
      axis->float32 = arrays.at(axis->name).meta.dtype == catalog::StorageType::kFloat32;
      axis->units = arrays.at(axis->name).attrs.value("units", "");
    }
    const auto& tattrs = arrays.at(st_.time_name).attrs;
    const auto units =
        catalog::TimeUnits::parse(tattrs.value("units", ""), tattrs.value("calendar", "standard"),
                                  spec_ + ": " + st_.time_name);
    for (double t : coord_values[2]) info->times.push_back(units.to_unix(t));
    for (size_t i = 1; i < info->times.size(); ++i) {
      if (info->times[i] <= info->times[i - 1]) {
        throw Error(ErrorKind::kCorrupt, spec_ + "/" + st_.time_name +
                                             ": damaged store: time steps are not increasing at "
                                             "step " +
                                             std::to_string(i));
      }
    }
    for (const auto& name : st_.data_vars) {
      const StoreArray& a = arrays.at(name);
      DatasetVariable v;
      v.name = name;
      v.type = a.meta.dtype;
      v.packing = a.packing;
      v.attributes = a.attrs;
      v.attributes.erase("_ARRAY_DIMENSIONS");
      v.column = column_from_attributes(name, v.attributes);
      v.chunks = a.meta.chunks;
      v.steps_present = info->times.size();
      info->variables.push_back(std::move(v));
    }
    st_.info = std::move(info);
    return true;
  }

 private:
  static bool is_store(const std::optional<json>& global) {
    return global && global->is_object() && global->contains(store::kStoreAttribute);
  }

  // The layout the store was written with (sources.json) against its
  // metadata now: edited chunks, order, dtype or codec would decode wrongly.
  void check_layout(const json& zmeta) const {
    const json& layout = st_.sources->layout;
    if (!layout.is_object()) return;
    const json now = store::store_layout(zmeta, st_.time_name);
    for (auto it = layout.begin(); it != layout.end(); ++it) {
      if (!now.contains(it.key()) || now.at(it.key()) != it.value()) {
        throw Error(ErrorKind::kCorrupt,
                    spec_ + "/.zmetadata: damaged store: the metadata of array '" + it.key() +
                        "' differs from what the store was written with (" +
                        dir_.uri(store::kSourcesKey) + "): now " +
                        (now.contains(it.key()) ? now.at(it.key()).dump() : "absent") +
                        ", written " + it.value().dump());
      }
    }
    // Committed steps: the metadata may run ahead of sources.json by the block
    // a killed conversion had written but not yet journaled.
    const uint64_t steps = zmeta.at("metadata").at(st_.time_name + "/.zarray").at("shape").at(0);
    const auto& src = *st_.sources;
    const uint64_t block = layout.contains(st_.time_name)
                               ? layout[st_.time_name].at("chunks").at(0).get<uint64_t>()
                               : 0;
    if (steps < src.steps || steps > src.steps + (src.finished ? 0 : block)) {
      throw Error(ErrorKind::kCorrupt, spec_ + "/.zmetadata: damaged store: " + st_.time_name +
                                           " has " + std::to_string(steps) +
                                           " steps; the store committed " +
                                           std::to_string(src.steps));
    }
  }

  std::vector<double> read_1d(const std::string& name) {
    const auto it = st_.arrays.find(name);
    if (it == st_.arrays.end()) throw Error(spec_ + ": no array " + name);
    const ArrayMeta& m = it->second.meta;
    const uint64_t chunks = m.chunk_grid()[0];
    std::vector<double> out(chunks * m.chunks[0]);
    // Remote chunks are fetched side by side: a 30-year time axis may be 30
    // objects, one round trip each.
    parallel_for(chunks, dir_.remote() ? 32 : 1, [&](size_t c) {
      std::vector<std::byte> chunk(m.chunk_items() * m.item_size());
      const std::string key = name + "/" + zarr::chunk_key({c});
      if (st_.verify) {
        // Remotely fetched whole beside its manifest: one round trip, not three.
        store::read_verified(dir_, name, m, {c}, true, [&](store::VerifiedChunk& vc) {
          if (vc.absent()) throw Error(ErrorKind::kCorrupt, dir_.uri(key) + ": missing");
          std::vector<std::byte> stored(vc.size());
          vc.read(0, stored);
          m.codec.decompress(stored, chunk, dir_.uri(key));
        });
      } else if (!zarr::read_chunk(dir_, name, m, {c}, chunk)) {
        // A coordinate is never all fill: an absent chunk was lost.
        throw Error(ErrorKind::kCorrupt,
                    dir_.uri(key) + ": damaged store: coordinate chunk is missing");
      }
      for (uint64_t i = 0; i < m.chunks[0]; ++i) {
        out[c * m.chunks[0] + i] = load_number(chunk.data() + i * m.item_size(), m.dtype);
      }
    });
    out.resize(m.shape[0]);
    return out;
  }

  std::string spec_;
  zarr::Directory dir_;
  OpenedStore& st_;
};

}  // namespace

std::shared_ptr<const OpenedStore> load_store(const std::string& spec) {
  return load_store(spec, false);
}

std::shared_ptr<const OpenedStore> load_store(const std::string& spec, bool probe) {
  auto st = std::make_shared<OpenedStore>();
  try {
    if (!StoreLoader(spec, *st).load(probe)) return nullptr;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kCorrupt,
                spec + "/.zmetadata: not the metadata of a pixeldrill store: " + e.what());
  } catch (const std::out_of_range& e) {
    throw Error(ErrorKind::kCorrupt,
                spec + "/.zmetadata: an array the store needs is missing (" + e.what() + ")");
  }
  return st;
}

}  // namespace pixeldrill::drill

#include "index/kerchunk_refs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

#include "core/error.h"
#include "formats/zarr/array_meta.h"

namespace pixeldrill::index::kerchunk {
namespace {

using index::CollectionIndex;
using index::FileEntry;
using index::Layout;
using index::VarLayout;
using json = nlohmann::json;

std::string base64(const void* data, size_t n) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = static_cast<const uint8_t*>(data);
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    const uint32_t b = (uint32_t(p[i]) << 16) | (i + 1 < n ? uint32_t(p[i + 1]) << 8 : 0) |
                       (i + 2 < n ? p[i + 2] : 0);
    out += kAlphabet[(b >> 18) & 63];
    out += kAlphabet[(b >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(b >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[b & 63] : '=';
  }
  return out;
}

bool is_float(formats::StorageType t) {
  return t == formats::StorageType::kFloat32 || t == formats::StorageType::kFloat64;
}

json number_for(formats::StorageType t, double v) {
  if (is_float(t)) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    return v;
  }
  return static_cast<int64_t>(v);
}

// Encodes a double as the little-endian bytes of a storage type (time values).
void append_as(std::string& out, formats::StorageType t, double v) {
  using formats::StorageType;
  auto put = [&](auto x) { out.append(reinterpret_cast<const char*>(&x), sizeof x); };
  switch (t) {
    case StorageType::kInt8:
      put(static_cast<int8_t>(v));
      break;
    case StorageType::kUInt8:
      put(static_cast<uint8_t>(v));
      break;
    case StorageType::kInt16:
      put(static_cast<int16_t>(v));
      break;
    case StorageType::kUInt16:
      put(static_cast<uint16_t>(v));
      break;
    case StorageType::kInt32:
      put(static_cast<int32_t>(v));
      break;
    case StorageType::kUInt32:
      put(static_cast<uint32_t>(v));
      break;
    case StorageType::kInt64:
      put(static_cast<int64_t>(v));
      break;
    case StorageType::kUInt64:
      put(static_cast<uint64_t>(v));
      break;
    case StorageType::kFloat32:
      put(static_cast<float>(v));
      break;
    case StorageType::kFloat64:
      put(v);
      break;
  }
}

// The zarr compressor and filters equivalent to the HDF5 pipeline, or a
// reason why there is none.
bool zarr_codecs(const VarLayout& v, json* compressor, json* filters, std::string* why) {
  *compressor = nullptr;
  *filters = json::array();
  if (!v.unsupported.empty()) {
    *why = v.unsupported;
    return false;
  }
  bool deflated = false;
  for (const auto& f : v.filters) {
    if (f.id == formats::hdf5::kFilterShuffle && !deflated) {
      filters->push_back({{"id", "shuffle"}, {"elementsize", formats::storage_size(v.type)}});
    } else if (f.id == formats::hdf5::kFilterDeflate && !deflated) {
      *compressor = {{"id", "zlib"}, {"level", f.params.empty() ? 4 : f.params[0]}};
      deflated = true;
    } else {
      *why = "filter " + std::to_string(f.id) + (f.name.empty() ? "" : " (" + f.name + ")") +
             " has no zarr equivalent here";
      return false;
    }
  }
  return true;
}

std::string chunk_key(const std::string& var, const std::vector<uint64_t>& coords) {
  std::string key = var + "/";
  if (coords.empty()) return key + "0";
  for (size_t k = 0; k < coords.size(); ++k) key += (k ? "." : "") + std::to_string(coords[k]);
  return key;
}

std::vector<uint64_t> unravel(uint64_t linear, const std::vector<uint64_t>& grid) {
  std::vector<uint64_t> c(grid.size());
  for (size_t k = grid.size(); k-- > 0;) {
    c[k] = linear % grid[k];
    linear /= grid[k];
  }
  return c;
}

class RefsBuilder {
 public:
  explicit RefsBuilder(const std::string& global_attrs_json) {
    add_meta(".zgroup", {{"zarr_format", 2}});
    add_meta(".zattrs", json::parse(global_attrs_json));
  }
  void add_meta(const std::string& key, const json& value) {
    refs_[key] = value.dump();
    meta_[key] = value;
  }
  void add_array(const std::string& name, const json& zarray, const json& zattrs) {
    add_meta(name + "/.zarray", zarray);
    add_meta(name + "/.zattrs", zattrs);
  }
  void add_chunk(const std::string& key, const std::string& path, uint64_t offset, uint64_t size) {
    refs_[key] = json::array({path, offset, size});
  }
  void add_inline(const std::string& key, const std::string& bytes) {
    refs_[key] = "base64:" + base64(bytes.data(), bytes.size());
  }
  json finish() {
    refs_[".zmetadata"] = json{{"zarr_consolidated_format", 1}, {"metadata", meta_}}.dump();
    return json{{"version", 1}, {"refs", std::move(refs_)}};
  }

 private:
  json refs_ = json::object();
  json meta_ = json::object();
};

json zarray_for(const VarLayout& v, const std::vector<uint64_t>& shape, std::optional<double> fill,
                const json& compressor, const json& filters) {
  // An _Unsigned variable's packing holds its fill as unsigned; zarr wants
  // the stored (signed) number, and xarray applies _Unsigned itself.
  if (fill && !is_float(v.type)) {
    const double wrap = std::ldexp(1.0, static_cast<int>(formats::storage_size(v.type)) * 8);
    const bool is_signed =
        v.type == formats::StorageType::kInt8 || v.type == formats::StorageType::kInt16 ||
        v.type == formats::StorageType::kInt32 || v.type == formats::StorageType::kInt64;
    if (is_signed && *fill >= wrap / 2) *fill -= wrap;
  }
  return {{"zarr_format", 2},
          {"shape", shape},
          {"chunks", v.chunk_shape},
          {"dtype", zarr::dtype_string(v.type, v.big_endian)},
          {"fill_value", fill ? number_for(v.type, *fill) : json(nullptr)},
          {"order", "C"},
          {"compressor", filters.empty() && compressor.is_null() ? json(nullptr) : compressor},
          {"filters", filters.empty() ? json(nullptr) : filters}};
}

json zattrs_for(const VarLayout& v, const formats::Packing* packing) {
  json attrs = json::parse(v.attrs_json);
  if (packing) {
    if (packing->scale_factor) attrs["scale_factor"] = *packing->scale_factor;
    if (packing->add_offset) attrs["add_offset"] = *packing->add_offset;
    if (packing->missing_value)
      attrs["missing_value"] = number_for(v.type, *packing->missing_value);
  }
  attrs["_ARRAY_DIMENSIONS"] = v.dims;
  return attrs;
}

// Writes one variable's chunks (or inline bytes) of one file, shifting the
// time chunk coordinate by `time_chunk0` for combined sets.
bool add_file_chunks(RefsBuilder& b, const VarLayout& v, const index::FileVar& fv,
                     const FileEntry& f, int time_dim, uint64_t time_chunk0) {
  if (!fv.inline_data.empty()) {
    const std::string bytes(reinterpret_cast<const char*>(fv.inline_data.data()),
                            fv.inline_data.size());
    std::vector<uint64_t> zero(v.shape.size(), 0);
    if (time_dim >= 0) zero[static_cast<size_t>(time_dim)] = time_chunk0;
    b.add_inline(chunk_key(v.name, zero), bytes);
    return true;
  }
  const auto grid = v.chunk_grid();
  for (uint64_t i = 0; i < fv.chunks.size(); ++i) {
    const auto& c = fv.chunks[i];
    if (c.offset == formats::hdf5::kNoStorage) continue;  // zarr reads it as fill_value
    auto coords = unravel(i, grid);
    if (time_dim >= 0) coords[static_cast<size_t>(time_dim)] += time_chunk0;
    b.add_chunk(chunk_key(v.name, coords), f.path, c.offset, c.size);
  }
  return true;
}

bool chunks_fully_filtered(const index::FileVar& fv) {
  return std::all_of(fv.chunks.begin(), fv.chunks.end(),
                     [](const formats::hdf5::ChunkRef& c) { return c.filter_mask == 0; });
}

}  // namespace

json file_refs(const CollectionIndex& index, size_t file, std::vector<RefsWarning>* warnings) {
  const FileEntry& f = index.files.at(file);
  const Layout& layout = index.layouts[f.layout];
  RefsBuilder b(layout.global_attrs_json);
  for (size_t vi = 0; vi < layout.vars.size(); ++vi) {
    const VarLayout& v = layout.vars[vi];
    const auto& fv = f.vars[vi];
    json compressor, filters;
    std::string why;
    if (!zarr_codecs(v, &compressor, &filters, &why) ||
        (!chunks_fully_filtered(fv) && (why = "some chunks skip a filter", true))) {
      if (warnings) warnings->push_back({f.path + ": variable " + v.name + " left out: " + why});
      continue;
    }
    b.add_array(v.name, zarray_for(v, v.shape, fv.packing.fill_value, compressor, filters),
                zattrs_for(v, &fv.packing));
    add_file_chunks(b, v, fv, f, -1, 0);
  }
  return b.finish();
}

std::vector<std::vector<size_t>> combinable_groups(const CollectionIndex& index) {
  std::map<std::pair<uint32_t, std::string>, std::vector<size_t>> groups;
  for (size_t i = 0; i < index.files.size(); ++i) {
    const FileEntry& f = index.files[i];
    std::string fills;
    for (const auto& v : f.vars) {
      fills += std::to_string(v.packing.fill_value.value_or(-0.5)) + "/" +
               std::to_string(v.packing.missing_value.value_or(-0.5)) + ";";
    }
    groups[{f.layout, fills}].push_back(i);
  }
  std::vector<std::vector<size_t>> out;
  for (auto& [key, files] : groups) out.push_back(std::move(files));
  return out;
}

json combined_refs(const CollectionIndex& index, std::vector<size_t> files,
                   std::vector<RefsWarning>* warnings) {
  if (files.empty()) throw Error("kerchunk: no file to combine");
  std::sort(files.begin(), files.end(), [&](size_t a, size_t b) {
    const auto &x = index.files[a].times, &y = index.files[b].times;
    return x.empty() || y.empty() ? a < b : x.front() < y.front();
  });
  const FileEntry& first = index.files[files.front()];
  const Layout& layout = index.layouts[first.layout];
  RefsBuilder b(layout.global_attrs_json);
  const std::string& tname = layout.time_name;
  uint64_t total_times = 0;
  for (size_t i : files) total_times += index.files[i].times.size();

  for (size_t vi = 0; vi < layout.vars.size(); ++vi) {
    const VarLayout& v = layout.vars[vi];
    const auto tpos = std::find(v.dims.begin(), v.dims.end(), tname);
    const int time_dim = tpos == v.dims.end() ? -1 : static_cast<int>(tpos - v.dims.begin());
    if (v.name == tname) {
      // The concatenated time coordinate, inlined as one uncompressed chunk.
      std::string bytes;
      for (size_t i : files) {
        for (double t : index.files[i].time_raw) append_as(bytes, v.type, t);
      }
      VarLayout tv = v;
      tv.chunk_shape = {total_times};
      tv.big_endian = false;
      b.add_array(v.name, zarray_for(tv, {total_times}, std::nullopt, nullptr, json::array()),
                  zattrs_for(v, &first.vars[vi].packing));
      b.add_inline(v.name + "/0", bytes);
      continue;
    }
    json compressor, filters;
    std::string why;
    bool ok = zarr_codecs(v, &compressor, &filters, &why);
    for (size_t i : files) {
      if (ok && !chunks_fully_filtered(index.files[i].vars[vi])) {
        ok = false;
        why = "some chunks of " + index.files[i].path + " skip a filter";
      }
    }
    const uint64_t per_file_t = time_dim >= 0 ? v.shape[static_cast<size_t>(time_dim)] : 0;
    const uint64_t chunk_t = time_dim >= 0 ? v.chunk_shape[static_cast<size_t>(time_dim)] : 1;
    if (ok && time_dim >= 0 && per_file_t % chunk_t != 0) {
      ok = false;
      why = "time chunks do not tile each file's time steps";
    }
    if (!ok) {
      if (warnings) warnings->push_back({"combined set: variable " + v.name + " left out: " + why});
      continue;
    }
    if (time_dim < 0) {
      // Not along time (lat, lon, ...): the first file's, the same in every file of the group.
      b.add_array(v.name,
                  zarray_for(v, v.shape, first.vars[vi].packing.fill_value, compressor, filters),
                  zattrs_for(v, &first.vars[vi].packing));
      add_file_chunks(b, v, first.vars[vi], first, -1, 0);
      continue;
    }
    bool same_packing = true;
    for (size_t i : files)
      same_packing &= index.files[i].vars[vi].packing == first.vars[vi].packing;
    std::vector<uint64_t> shape = v.shape;
    shape[static_cast<size_t>(time_dim)] = total_times;
    json zattrs = zattrs_for(v, same_packing ? &first.vars[vi].packing : nullptr);
    if (!same_packing) {
      if (first.vars[vi].packing.missing_value) {
        zattrs["missing_value"] = number_for(v.type, *first.vars[vi].packing.missing_value);
      }
      // Stored numbers are not in the physical units: those are named apart.
      const auto units = zattrs.find("units");
      if (units != zattrs.end()) {
        zattrs["physical_units"] = *units;
        zattrs.erase(units);
      }
      zattrs.erase("standard_name");
      zattrs["comment_packing"] = "packing differs between files: physical value = " + v.name +
                                  " * " + v.name + "_scale_factor + " + v.name +
                                  "_add_offset (per time step), in physical_units";
      std::string scales, offsets;
      for (size_t i : files) {
        const auto& p = index.files[i].vars[vi].packing;
        for (size_t t = 0; t < index.files[i].times.size(); ++t) {
          append_as(scales, formats::StorageType::kFloat64, p.scale_factor.value_or(1.0));
          append_as(offsets, formats::StorageType::kFloat64, p.add_offset.value_or(0.0));
        }
      }
      for (const auto& [suffix, bytes] :
           {std::pair{"_scale_factor", scales}, {"_add_offset", offsets}}) {
        VarLayout pv;
        pv.name = v.name + suffix;
        pv.type = formats::StorageType::kFloat64;
        pv.dims = {tname};
        pv.chunk_shape = {total_times};
        pv.attrs_json =
            json{{"long_name", std::string(suffix + 1) + " of " + v.name + " per time step"}}
                .dump();
        b.add_array(pv.name, zarray_for(pv, {total_times}, std::nullopt, nullptr, json::array()),
                    zattrs_for(pv, nullptr));
        b.add_inline(pv.name + "/0", bytes);
      }
    }
    b.add_array(v.name,
                zarray_for(v, shape, first.vars[vi].packing.fill_value, compressor, filters),
                zattrs);
    uint64_t t_chunk0 = 0;
    for (size_t i : files) {
      add_file_chunks(b, v, index.files[i].vars[vi], index.files[i], time_dim, t_chunk0);
      t_chunk0 += per_file_t / chunk_t;
    }
  }
  return b.finish();
}

std::string common_folder(const CollectionIndex& index) {
  if (index.files.empty()) return "";
  std::string prefix = index.files.front().path;
  for (const auto& f : index.files) {
    size_t n = 0;
    while (n < prefix.size() && n < f.path.size() && prefix[n] == f.path[n]) ++n;
    prefix.resize(n);
  }
  // Cut back to a whole folder name.
  const size_t slash = prefix.rfind('/');
  return slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
}

void relocate(json& refs, const std::string& root, const std::string& base) {
  if (root.empty()) throw Error("kerchunk: no common folder to relocate the references from");
  std::string stem = base;
  while (!stem.empty() && stem.back() == '/') stem.pop_back();
  for (auto& [key, value] : refs.at("refs").items()) {
    if (!value.is_array() || value.empty() || !value[0].is_string()) continue;
    const std::string path = value[0].get<std::string>();
    if (path.compare(0, root.size(), root) != 0) {
      throw Error("kerchunk: " + path + " is not under " + root);
    }
    value[0] = "{{u}}/" + path.substr(root.size());
  }
  refs["templates"] = {{"u", stem.empty() ? "." : stem}};
}

}  // namespace pixeldrill::index::kerchunk

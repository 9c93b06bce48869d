#include "store/indexed_files.h"

#include <cmath>

#include "core/error.h"
#include "index/indexer.h"
#include "io/registry.h"

namespace pixeldrill::store {
namespace hdf5 = formats::hdf5;
using index::FileEntry;
using index::Layout;
using index::VarLayout;

IndexedFiles::IndexedFiles(index::CollectionIndex index) : index_(std::move(index)) {
  for (size_t i = 0; i < index_.files.size(); ++i) by_path_.emplace(index_.files[i].path, i);
}

const FileEntry& IndexedFiles::entry(const std::string& path) const {
  const auto it = by_path_.find(path);
  if (it == by_path_.end()) throw Error(path + ": not in the chunk index " + index_.collection);
  return index_.files[it->second];
}

catalog::FileMetadata IndexedFiles::metadata(const FileEntry& file) const {
  const Layout& layout = index_.layouts.at(file.layout);
  catalog::FileMetadata m;
  m.path = file.path;
  m.grid = index_.grids.at(layout.grid);
  m.time_name = layout.time_name;
  m.times = file.times;
  for (size_t v = 0; v < layout.vars.size(); ++v) {
    const VarLayout& var = layout.vars[v];
    // netCDF-C lists variables of a type it cannot read as absent too.
    if (!layout.is_data_variable(var)) continue;
    catalog::VariableInfo info;
    info.name = var.name;
    info.packing = file.vars[v].packing;
    info.dims = var.dims;
    info.shape.assign(var.shape.begin(), var.shape.end());
    // The index records contiguous storage as one chunk of the whole shape;
    // netCDF-C reports no chunks for it.
    if (var.chunk_shape != var.shape) {
      info.chunks.assign(var.chunk_shape.begin(), var.chunk_shape.end());
    }
    info.units = var.text_attribute("units");
    info.long_name = var.text_attribute("long_name");
    info.standard_name = var.text_attribute("standard_name");
    info.unsigned_reinterpret = info.packing.type != var.type;
    m.variables.emplace(var.name, std::move(info));
  }
  return m;
}

namespace {
// A number as netCDF-C gives an attribute of the variable's own type.
nlohmann::json stored_number(double v, catalog::StorageType type) {
  const bool integral = type != catalog::StorageType::kFloat32 &&
                        type != catalog::StorageType::kFloat64 && std::isfinite(v) &&
                        v == std::floor(v);
  if (integral) return static_cast<int64_t>(v);
  return v;
}
}  // namespace

nlohmann::json IndexedFiles::attributes(const std::string& path,
                                        const std::string& variable) const {
  const FileEntry& f = entry(path);
  const Layout& layout = index_.layouts.at(f.layout);
  if (variable.empty()) return nlohmann::json::parse(layout.global_attrs_json);
  size_t v = 0;
  const VarLayout* var = layout.find(variable, &v);
  if (!var) throw Error(path + ": no variable " + variable);
  nlohmann::json out = nlohmann::json::parse(var->attrs_json);
  // The index keeps the packing attributes per file, apart from the others.
  const catalog::Packing& p = f.vars[v].packing;
  if (p.fill_value) out["_FillValue"] = stored_number(*p.fill_value, var->type);
  if (p.missing_value) out["missing_value"] = stored_number(*p.missing_value, var->type);
  if (p.scale_factor) out["scale_factor"] = *p.scale_factor;
  if (p.add_offset) out["add_offset"] = *p.add_offset;
  return out;
}

SourceVariable IndexedFiles::variable(const std::string& path, const std::string& variable) const {
  const FileEntry& f = entry(path);
  const VarLayout* var = index_.layouts.at(f.layout).find(variable);
  if (!var) throw Error(path + ": no variable " + variable);
  SourceVariable out;
  out.type = var->type;
  const auto attrs = nlohmann::json::parse(var->attrs_json);
  for (auto [key, slot] : {std::pair{"valid_min", &out.valid_min}, {"valid_max", &out.valid_max}}) {
    const auto it = attrs.find(key);
    if (it == attrs.end()) continue;
    if (it->is_number()) *slot = it->get<double>();
    if (it->is_array() && it->size() == 1 && (*it)[0].is_number()) *slot = (*it)[0].get<double>();
  }
  return out;
}

std::optional<hdf5::Dataset> IndexedFiles::dataset(const std::string& path,
                                                   const std::string& variable) const {
  const FileEntry& f = entry(path);
  size_t v = 0;
  const VarLayout* var = index_.layouts.at(f.layout).find(variable, &v);
  if (!var) return std::nullopt;
  hdf5::Dataset d;
  d.name = var->name;
  d.type = var->type;
  d.big_endian = var->big_endian;
  d.dims = var->dims;
  d.shape = var->shape;
  d.chunk_shape = var->chunk_shape;
  d.filters = var->filters;
  d.hdf5_fill = var->hdf5_fill;
  d.attrs = nlohmann::ordered_json::parse(var->attrs_json);
  d.packing = f.vars[v].packing;
  d.chunks = f.vars[v].chunks;
  d.inline_data = f.vars[v].inline_data;
  d.unsupported = var->unsupported;
  return d;
}

std::unique_ptr<io::ByteSource> IndexedFiles::open(const std::string& path) const {
  const FileEntry& f = entry(path);
  const std::string changed = path + ": changed since it was indexed";
  const std::string advice = "; re-run pixeldrill index to update the index";
  if (!io::is_remote(path)) {
    uint64_t size = 0;
    int64_t mtime = 0;
    index::stat_file(path, &size, &mtime);
    if (size != f.size || mtime != f.mtime_ns) {
      throw Error(changed + " (size " + std::to_string(f.size) + " -> " + std::to_string(size) +
                      (mtime != f.mtime_ns ? ", modification time differs" : "") + ")" + advice,
                  ErrorKind::kSourceChanged);
    }
    return io::open_file_source(path);
  }
  // No HEAD: every response is checked against the indexed version.
  const io::ObjectInfo indexed{f.path, f.size, f.mtime_ns, f.etag};
  auto source = io::open_byte_source(path, &indexed);
  if (source->size() != f.size) {
    throw Error(changed + " (size " + std::to_string(f.size) + " -> " +
                    std::to_string(source->size()) + ")" + advice,
                ErrorKind::kSourceChanged);
  }
  return source;
}

}  // namespace pixeldrill::store

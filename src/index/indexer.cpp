#include "index/indexer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <unordered_map>

#include "catalog/cf_coordinates.h"
#include "catalog/collection.h"
#include "catalog/time_axis.h"
#include "codec/block_crc.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "index/binary_io.h"
#include "io/byte_source.h"

namespace pixeldrill::index {
namespace {

using formats::hdf5::Dataset;
using formats::hdf5::FileContents;

std::string text_attr(const nlohmann::ordered_json& attrs, const char* name) {
  auto it = attrs.find(name);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : "";
}

catalog::CoordinateRole coordinate_role(const Dataset& d) {
  return catalog::coordinate_role(d.name, text_attr(d.attrs, "standard_name"),
                                  text_attr(d.attrs, "units"), text_attr(d.attrs, "axis"));
}

catalog::Axis make_axis(const Dataset& d, const std::string& path) {
  catalog::Axis a;
  a.name = d.name;
  a.values = d.coord_values;
  a.float32 = d.type == catalog::StorageType::kFloat32;
  a.units = text_attr(d.attrs, "units");
  catalog::require_monotonic(a, path);
  return a;
}

bool is_packing_attr(const std::string& key) {
  return key == "_FillValue" || key == "missing_value" || key == "scale_factor" ||
         key == "add_offset";
}

std::string layout_key(const Layout& l) {
  Writer w;
  w.u32(l.grid);
  w.str(l.lat_name);
  w.str(l.lon_name);
  w.str(l.time_name);
  for (const auto& v : l.vars) {
    w.str(v.name);
    w.u8(static_cast<uint8_t>(v.type));
    w.u8(v.big_endian);
    for (const auto& d : v.dims) w.str(d);
    for (auto s : v.shape) w.u64(s);
    w.u8(0xff);
    for (auto s : v.chunk_shape) w.u64(s);
    for (const auto& f : v.filters) {
      w.u32(f.id);
      w.u32(f.flags);
      for (auto p : f.params) w.u32(p);
    }
    w.u8(v.hdf5_fill.has_value());
    w.f64(v.hdf5_fill.value_or(0));
    w.str(v.attrs_json);
    w.str(v.unsupported);
  }
  return w.data();
}

// Grid and layout tables with lookup, shared by the scanning threads.
class Interner {
 public:
  explicit Interner(CollectionIndex& index) : index_(index) {
    for (uint32_t i = 0; i < index.grids.size(); ++i)
      grids_.emplace(index.grids[i].fingerprint(), i);
    for (uint32_t i = 0; i < index.layouts.size(); ++i)
      layouts_.emplace(layout_key(index.layouts[i]), i);
  }
  uint32_t grid(catalog::Grid&& g) {
    auto range = grids_.equal_range(g.fingerprint());
    for (auto it = range.first; it != range.second; ++it) {
      const auto& other = index_.grids[it->second];
      if (other == g && other.lat.float32 == g.lat.float32 && other.lon.float32 == g.lon.float32 &&
          other.lat.name == g.lat.name && other.lon.name == g.lon.name) {
        return it->second;
      }
    }
    const auto id = static_cast<uint32_t>(index_.grids.size());
    grids_.emplace(g.fingerprint(), id);
    index_.grids.push_back(std::move(g));
    return id;
  }
  // `owner` is the file the layout's global attributes come from; the
  // smallest path wins so the result does not depend on thread timing.
  uint32_t layout(Layout&& l, const std::string& owner) {
    std::string key = layout_key(l);
    auto it = layouts_.find(key);
    if (it != layouts_.end()) {
      std::string& current = owners_[it->second];
      if (current.empty() || owner < current) {
        current = owner;
        index_.layouts[it->second].global_attrs_json = std::move(l.global_attrs_json);
      }
      return it->second;
    }
    const auto id = static_cast<uint32_t>(index_.layouts.size());
    layouts_.emplace(std::move(key), id);
    index_.layouts.push_back(std::move(l));
    owners_.push_back(owner);
    return id;
  }
  const std::string& owner(uint32_t layout) const { return owners_[layout]; }

 private:
  CollectionIndex& index_;
  std::unordered_multimap<uint64_t, uint32_t> grids_;
  std::unordered_map<std::string, uint32_t> layouts_;
  std::vector<std::string> owners_;
};

std::mutex& intern_mutex() {
  static std::mutex m;
  return m;
}

FileEntry make_entry(const FileContents& contents, Interner& interner) {
  const std::string& path = contents.path;
  const Dataset *lat = nullptr, *lon = nullptr, *time = nullptr;
  for (const auto& d : contents.datasets) {
    if (!d.is_coordinate() || !d.unsupported.empty()) continue;
    switch (coordinate_role(d)) {
      case catalog::CoordinateRole::kLat:
        if (!lat) lat = &d;
        break;
      case catalog::CoordinateRole::kLon:
        if (!lon) lon = &d;
        break;
      case catalog::CoordinateRole::kTime:
        if (!time) time = &d;
        break;
      case catalog::CoordinateRole::kNone:
        break;
    }
  }
  if (!lat || !lon) {
    throw Error(path +
                ": no latitude/longitude coordinate variables (CF units degrees_north / "
                "degrees_east)");
  }
  if (!time) throw Error(path + ": no time coordinate variable (CF units '<unit> since <date>')");
  FileEntry entry;
  entry.path = path;
  const auto units =
      catalog::TimeUnits::parse(text_attr(time->attrs, "units"), text_attr(time->attrs, "calendar"),
                                path + ": variable " + time->name);
  entry.time_raw = time->coord_values;
  for (double t : entry.time_raw) entry.times.push_back(units.to_unix(t));

  Layout layout;
  layout.lat_name = lat->name;
  layout.lon_name = lon->name;
  layout.time_name = time->name;
  layout.global_attrs_json = contents.global_attrs.dump();
  for (const auto& d : contents.datasets) {
    VarLayout v;
    v.name = d.name;
    v.type = d.type;
    v.big_endian = d.big_endian;
    v.dims = d.dims;
    v.shape = d.shape;
    v.chunk_shape = d.chunk_shape;
    v.filters = d.filters;
    v.hdf5_fill = d.hdf5_fill;
    nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
    for (const auto& [key, value] : d.attrs.items()) {
      if (!is_packing_attr(key)) attrs[key] = value;
    }
    v.attrs_json = attrs.dump();
    v.unsupported = d.unsupported;
    layout.vars.push_back(std::move(v));
    entry.vars.push_back(FileVar{d.packing, d.chunks, d.inline_data, {}});
  }
  catalog::Grid grid{make_axis(*lat, path), make_axis(*lon, path)};
  std::lock_guard lock(intern_mutex());
  layout.grid = interner.grid(std::move(grid));
  entry.layout = interner.layout(std::move(layout), path);
  return entry;
}

// CRC-32C of each 64 KiB block of every stored chunk, so a drill can check the
// very bytes it reads later (bit rot, or a rewrite that kept size and mtime).
void add_block_crcs(FileEntry& entry) {
  const auto source = io::open_file_source(entry.path);
  thread_local std::vector<std::byte> bytes;
  for (auto& v : entry.vars) {
    v.block_crcs.clear();
    for (const auto& c : v.chunks) {
      if (c.offset == formats::hdf5::kNoStorage) continue;
      bytes.resize(c.size);
      source->read(c.offset, bytes);
      const auto crcs = codec::block_crcs(bytes);
      v.block_crcs.insert(v.block_crcs.end(), crcs.begin(), crcs.end());
    }
  }
}

// Layouts and grids numbered in order of first use by the sorted files, each
// layout's global attributes from its first file: the same index whatever
// order the threads finished in, and whatever the previous index was.
void renumber_by_first_use(CollectionIndex& index, const Interner& interner) {
  std::vector<int64_t> layout_map(index.layouts.size(), -1), grid_map(index.grids.size(), -1);
  std::vector<Layout> layouts;
  std::vector<catalog::Grid> grids;
  for (auto& f : index.files) {
    if (layout_map[f.layout] < 0) {
      layout_map[f.layout] = static_cast<int64_t>(layouts.size());
      Layout l = std::move(index.layouts[f.layout]);
      if (interner.owner(f.layout) != f.path) {
        try {
          l.global_attrs_json = formats::hdf5::read_chunk_index(f.path).global_attrs.dump();
        } catch (const Error&) {
          // keep the attributes of the file it was first seen in
        }
      }
      if (grid_map[l.grid] < 0) {
        grid_map[l.grid] = static_cast<int64_t>(grids.size());
        grids.push_back(std::move(index.grids[l.grid]));
      }
      l.grid = static_cast<uint32_t>(grid_map[l.grid]);
      layouts.push_back(std::move(l));
    }
    f.layout = static_cast<uint32_t>(layout_map[f.layout]);
  }
  index.layouts = std::move(layouts);
  index.grids = std::move(grids);
}

std::string absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

void stat_file(const std::string& path, uint64_t* size, int64_t* mtime_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot stat: " + std::strerror(errno));
  *size = static_cast<uint64_t>(st.st_size);
  *mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

CollectionIndex build_index(const std::string& collection, const CollectionIndex* previous,
                            const IndexOptions& options, IndexStats* stats) {
  IndexStats local;
  IndexStats& st = stats ? *stats : local;
  st = IndexStats{};
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> paths = catalog::discover_files(collection);
  for (auto& p : paths) p = absolute(p);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

  CollectionIndex index;
  index.collection = absolute(collection);
  Interner interner(index);

  std::map<std::string, const FileEntry*> old_files;
  std::vector<std::optional<uint32_t>> old_layout_map;
  std::vector<std::string> old_owner;  // the file each old layout's global attributes are from
  if (previous) {
    for (const auto& f : previous->files) old_files.emplace(f.path, &f);
    old_layout_map.resize(previous->layouts.size());
    old_owner.resize(previous->layouts.size());
    for (const auto& f : previous->files) {
      if (old_owner[f.layout].empty()) old_owner[f.layout] = f.path;
    }
  }
  std::vector<std::optional<FileEntry>> entries(paths.size());
  std::vector<std::string> problems(paths.size());
  std::vector<size_t> to_scan;
  for (size_t i = 0; i < paths.size(); ++i) {
    uint64_t size = 0;
    int64_t mtime = 0;
    try {
      stat_file(paths[i], &size, &mtime);
    } catch (const Error& e) {
      problems[i] = e.what();
      continue;
    }
    auto it = old_files.find(paths[i]);
    if (it != old_files.end() && it->second->size == size && it->second->mtime_ns == mtime) {
      FileEntry entry = *it->second;
      auto& mapped = old_layout_map[entry.layout];
      if (!mapped) {
        Layout l = previous->layouts[entry.layout];
        l.grid = interner.grid(catalog::Grid(previous->grids[l.grid]));
        mapped = interner.layout(std::move(l), old_owner[entry.layout]);
      }
      entry.layout = *mapped;
      entries[i] = std::move(entry);
      ++st.reused;
    } else {
      to_scan.push_back(i);
    }
  }
  if (previous) {
    for (const auto& [path, entry] : old_files) {
      if (!std::binary_search(paths.begin(), paths.end(), path)) ++st.dropped;
    }
  }
  Progress progress("indexing", to_scan.size());
  if (!options.progress) progress.finish();
  const unsigned threads = options.threads ? options.threads : default_threads();
  parallel_for(to_scan.size(), threads, [&](size_t k) {
    const size_t i = to_scan[k];
    try {
      uint64_t size = 0;
      int64_t mtime = 0;
      stat_file(paths[i], &size, &mtime);
      const auto contents = formats::hdf5::read_chunk_index(paths[i]);
      FileEntry entry = make_entry(contents, interner);
      add_block_crcs(entry);
      // A file rewritten while we read it would pair new chunks with old stamps.
      uint64_t size2 = 0;
      int64_t mtime2 = 0;
      stat_file(paths[i], &size2, &mtime2);
      if (size2 != size || mtime2 != mtime) throw Error(paths[i] + ": changed while being indexed");
      entry.size = size;
      entry.mtime_ns = mtime;
      entries[i] = std::move(entry);
    } catch (const Error& e) {
      problems[i] = e.what();
    }
    progress.tick();
  });
  progress.finish();
  st.scanned = to_scan.size();
  for (size_t i = 0; i < paths.size(); ++i) {
    if (entries[i]) {
      index.files.push_back(std::move(*entries[i]));
    } else {
      index.problems.push_back(problems[i]);
      ++st.failed;
    }
  }
  renumber_by_first_use(index, interner);
  if (index.files.empty() && !paths.empty() && st.failed == paths.size()) {
    throw Error(collection + ": none of its " + std::to_string(paths.size()) +
                " files could be indexed; first problem: " + index.problems.front());
  }
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return index;
}

}  // namespace pixeldrill::index

#include "index/indexer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "catalog/cf_coordinates.h"
#include "catalog/collection.h"
#include "catalog/time_axis.h"
#include "codec/block_crc.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "index/binary_io.h"
#include "index/index_shares.h"
#include "index/layout_interner.h"
#include "io/byte_source.h"
#include "io/registry.h"
#include "io/remote_options.h"
#include "parallel/collective.h"

namespace pixeldrill::index {
namespace {

// Block size of remote metadata reads: one round trip is worth ~1 MB at
// 50 ms and 200 Mbit/s, and netCDF-4 metadata sits in a few clusters
// (measured in docs/remote.md; PIXELDRILL_REMOTE_BLOCK_KB overrides it).
size_t remote_block() {
  static const size_t block = [] {
    const char* env = std::getenv("PIXELDRILL_REMOTE_BLOCK_KB");
    const long kb = env ? std::atol(env) : 0;
    return kb > 0 ? static_cast<size_t>(kb) * 1024 : size_t{64} * 1024;
  }();
  return block;
}

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
          static const std::vector<std::string> coordinates_only;
          l.global_attrs_json =
              formats::hdf5::read_chunk_index(f.path, &coordinates_only).global_attrs.dump();
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

// The objects of a remote collection that look like NetCDF: by name under a
// prefix or catalog; every object a glob, a URL list or a single URI names.
std::vector<io::ObjectInfo> remote_collection(const std::string& spec) {
  auto objects = io::list_objects(spec);
  const bool named = spec[0] == '@' || catalog::is_glob(spec) || objects.size() == 1;
  if (!named) {
    std::erase_if(objects, [](const io::ObjectInfo& o) {
      const std::string name = o.uri.substr(0, o.uri.find('?'));
      return !(name.ends_with(".nc") || name.ends_with(".nc4"));
    });
  }
  if (objects.empty()) throw Error(spec + ": no NetCDF objects (*.nc, *.nc4) found there");
  return objects;
}

// HDF5 reads the object through the virtual file driver; the block cache
// turns its many small metadata reads into a few ranged requests, and the
// first block is fetched before HDF5 (which serialises its calls) runs.
// (Prefetching the blocks the previous file needed was measured: more
// requests, no faster, as chunk B-tree nodes move with the data.)
FileEntry index_remote_file(const io::ObjectInfo& info, Interner& interner,
                            const std::vector<std::string>* only) {
  auto source = io::with_block_cache(io::open_byte_source(info.uri, &info), remote_block(), 64);
  const uint64_t first_block = 0;
  source->prefetch({&first_block, 1});
  const auto contents = formats::hdf5::read_chunk_index(info.uri, *source, only);
  FileEntry entry = make_entry(contents, interner);
  entry.size = info.size;
  entry.mtime_ns = info.mtime_ns;
  entry.etag = info.etag;
  return entry;
}

// The data variables an index holds (not its coordinates), sorted.
std::set<std::string> data_variables(const CollectionIndex& index) {
  std::set<std::string> names;
  for (const auto& l : index.layouts) {
    for (const auto& v : l.vars) {
      if (!(v.dims.size() == 1 && v.dims[0] == v.name)) names.insert(v.name);
    }
  }
  return names;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Every variable --vars names is in some file of the collection.
void check_variables(const CollectionIndex& index, const std::vector<std::string>& wanted,
                     const std::string& collection) {
  if (wanted.empty() || index.files.empty()) return;
  const auto held = data_variables(index);
  for (const auto& v : wanted) {
    if (!held.count(v)) {
      throw BadRequest("--vars: no file of " + collection + " has variable '" + v + "'");
    }
  }
}

// An index is updated with the variables it was built with: files indexed
// with others would leave holes no drill could tell from missing data.
void check_same_variables(const CollectionIndex& previous, const std::vector<std::string>& wanted) {
  if (wanted.empty() || previous.files.empty()) return;
  const auto held = data_variables(previous);
  const std::set<std::string> asked(wanted.begin(), wanted.end());
  if (held != asked) {
    throw BadRequest("--vars " + joined(asked) + ": the index to update holds " + joined(held) +
                     "; give the same --vars, or --full to re-read every file");
  }
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
                            const IndexOptions& options, IndexStats* stats,
                            parallel::Communicator* comm) {
  IndexStats local;
  IndexStats& st = stats ? *stats : local;
  st = IndexStats{};
  const auto started = std::chrono::steady_clock::now();
  // Remote collections (s3://, http(s), @urls.txt) come with each object's
  // size and version from the listing: no request per file to stat it.
  const bool remote = io::is_remote_spec(collection);
  std::map<std::string, io::ObjectInfo> listed;
  std::vector<std::string> paths;
  std::vector<std::string> skipped;
  CollectionIndex index;
  Interner interner(index);
  std::map<std::string, const FileEntry*> old_files;
  std::vector<std::optional<uint32_t>> old_layout_map;
  std::vector<std::string> old_owner;  // the file each old layout's global attributes are from
  std::vector<std::optional<FileEntry>> entries;
  std::vector<std::string> problems;
  std::vector<size_t> to_scan;
  const int ranks = comm ? comm->size() : 1, rank = comm ? comm->rank() : 0;
  // Several ranks: rank 0 alone lists a remote collection (S3 LIST pages, a
  // HEAD per URL of a list) and sends the listing to the others, so the
  // requests do not grow with the number of ranks.
  std::optional<std::vector<io::ObjectInfo>> objects;
  if (remote && ranks > 1) {
    objects.emplace();
    parallel::collective_step(*comm, [&] {
      if (rank == 0) *objects = remote_collection(collection);
    });
    parallel::collective_step(*comm, [&] { share_listing(*comm, *objects); });
  }
  const auto list_and_compare = [&] {
    index.collection = remote ? collection : absolute(collection);
    if (remote) {
      for (auto& info : objects ? std::move(*objects) : remote_collection(collection)) {
        paths.push_back(info.uri);
        listed.emplace(info.uri, std::move(info));
      }
    } else {
      paths = catalog::discover_files(collection, &skipped);
      for (auto& p : paths) p = absolute(p);
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    auto stat_any = [&](const std::string& path, uint64_t* size, int64_t* mtime) {
      if (!remote) return stat_file(path, size, mtime);
      const io::ObjectInfo& info = listed.at(path);
      *size = info.size;
      *mtime = info.mtime_ns;
    };

    if (previous) {
      check_same_variables(*previous, options.variables);
      for (const auto& f : previous->files) old_files.emplace(f.path, &f);
      old_layout_map.resize(previous->layouts.size());
      old_owner.resize(previous->layouts.size());
      for (const auto& f : previous->files) {
        if (old_owner[f.layout].empty()) old_owner[f.layout] = f.path;
      }
    }
    entries.resize(paths.size());
    problems.resize(paths.size());
    for (size_t i = 0; i < paths.size(); ++i) {
      uint64_t size = 0;
      int64_t mtime = 0;
      try {
        stat_any(paths[i], &size, &mtime);
      } catch (const Error& e) {
        problems[i] = e.what();
        continue;
      }
      auto it = old_files.find(paths[i]);
      // A remote object rewritten within the same second with the same size
      // is told apart by its ETag, when the server gives one.
      const std::string& etag = remote ? listed.at(paths[i]).etag : std::string();
      if (it != old_files.end() && it->second->size == size && it->second->mtime_ns == mtime &&
          (etag.empty() || it->second->etag.empty() || etag == it->second->etag)) {
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
  };
  if (ranks > 1) {
    parallel::collective_step(*comm, list_and_compare);
    parallel::collective_step(*comm, [&] { agree_on_listing(*comm, paths, to_scan); });
  } else {
    list_and_compare();
  }
  // Under MPI each rank scans a contiguous share; rank 0 draws the bar.
  const auto share = parallel::share_of(to_scan.size(), rank, ranks);
  const std::vector<size_t> all_to_scan = to_scan;
  to_scan.assign(all_to_scan.begin() + static_cast<ptrdiff_t>(share.begin),
                 all_to_scan.begin() + static_cast<ptrdiff_t>(share.end));
  Progress progress("indexing", all_to_scan.size(), ranks);
  if (!options.progress || rank != 0) progress.hide();
  // Remote files wait on the network, not the CPU: one thread per request.
  const unsigned threads = options.threads ? options.threads
                           : remote        ? io::remote_options().requests_or(io::kDefaultRequests)
                                           : default_threads();
  const std::vector<std::string>* only = options.variables.empty() ? nullptr : &options.variables;
  auto scan_one = [&](size_t k) {
    const size_t i = to_scan[k];
    try {
      if (remote) {
        entries[i] = index_remote_file(listed.at(paths[i]), interner, only);
        progress.tick();
        return;
      }
      uint64_t size = 0;
      int64_t mtime = 0;
      stat_file(paths[i], &size, &mtime);
      const auto contents = formats::hdf5::read_chunk_index(paths[i], only);
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
  };
  if (ranks > 1) {
    parallel::collective_step(*comm, [&] { parallel_for(to_scan.size(), threads, scan_one); });
    std::vector<std::string> pieces;
    parallel::collective_step(*comm, [&] {
      // Rank 0 keeps its own entries where they are.
      pieces = comm->gather(
          rank == 0 ? std::string() : encode_share(index, interner, to_scan, entries, problems), 0);
    });
    st.scanned = to_scan.size();
    if (rank != 0) return CollectionIndex{};
    for (int r = 1; r < ranks; ++r) {
      merge_share(pieces[static_cast<size_t>(r)], interner, entries, problems);
    }
    to_scan = all_to_scan;
  } else {
    parallel_for(to_scan.size(), threads, scan_one);
  }
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
  // Links, FIFOs and folders the walk could not read as files.
  for (auto& why : skipped) {
    index.problems.push_back(std::move(why));
    ++st.failed;
  }
  renumber_by_first_use(index, interner);
  check_variables(index, options.variables, collection);
  if (index.files.empty() && !paths.empty() && st.failed == paths.size()) {
    throw Error(collection + ": none of its " + std::to_string(paths.size()) +
                " files could be indexed; first problem: " + index.problems.front());
  }
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return index;
}

}  // namespace pixeldrill::index

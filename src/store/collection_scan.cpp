#include "store/collection_scan.h"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "catalog/collection.h"
#include "catalog/product_key.h"
#include "core/error.h"
#include "formats/netcdf/nc_file.h"
#include "index/collection_index.h"
#include "index/indexer.h"
#include "io/registry.h"

namespace pixeldrill::store {
using formats::netcdf::NcFile;

std::mutex& netcdf_mutex() {
  static std::mutex m;
  return m;
}

// HDF5's error stack printing is per thread; netCDF-C silences it only in
// the thread that initialised it, so worker threads would print the
// harmless attribute probes netCDF-C makes on every open.
NcFile open_netcdf_quietly(const std::string& path) {
  thread_local bool quiet = false;
  if (!quiet) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    quiet = true;
  }
  return NcFile::open(path);
}

std::string recorded_path(const std::string& path) {
  if (io::is_remote(path)) return path;
  return std::filesystem::absolute(path).lexically_normal().string();
}

namespace {
// A single object that could be a chunk index (one small read to tell):
// not a listing, catalog or URL list.
bool may_be_index(const std::string& spec) {
  if (!io::is_remote(spec)) {
    std::error_code ec;
    return std::filesystem::is_regular_file(spec, ec);
  }
  return !spec.ends_with('/') && !spec.ends_with(".xml") && !catalog::is_glob(spec);
}

// The files of a chunk index, each described by it (no file opened).
void add_indexed_files(Collection& c, index::CollectionIndex idx) {
  c.indexed = std::make_shared<const IndexedFiles>(std::move(idx));
  std::vector<std::string> paths;
  for (const auto& f : c.indexed->index().files) paths.push_back(f.path);
  catalog::check_single_product(c.spec, paths);
  for (const auto& f : c.indexed->index().files) c.files.push_back(c.indexed->metadata(f));
  for (const auto& why : c.indexed->index().problems) {
    c.problems.push_back(why);
    // "PATH: reason" (URIs hold ':' but not ": ").
    const size_t cut = why.find(": ");
    c.unreadable.emplace_back(why.substr(0, cut),
                              cut == std::string::npos ? why : why.substr(cut + 2));
  }
}
}  // namespace

Collection scan_collection(const std::string& spec, catalog::DuplicatePolicy duplicates,
                           const std::vector<std::string>& variables, int ranks) {
  Collection c;
  c.spec = spec;
  if (may_be_index(spec) && index::is_index_file(spec)) {
    // A chunk index (issue 4) lists the collection's files and describes them.
    auto idx = index::read_index(spec);
    c.source = idx.collection;
    c.index = recorded_path(spec);
    add_indexed_files(c, std::move(idx));
  } else if (io::is_remote_spec(spec)) {
    // Far away: the index reads a few KB per file where netCDF-C would need
    // the file downloaded. (`pixeldrill index` first is faster for big
    // collections: several processes, and kept for the next convert.)
    if (ranks > 1) {
      throw BadRequest(spec + ": under mpirun, index the remote collection first (pixeldrill " +
                       "index " + spec + " -o X.pdx) and convert X.pdx");
    }
    c.source = spec;
    index::IndexStats stats;
    add_indexed_files(
        c,
        index::build_index(
            spec, nullptr,
            index::IndexOptions{.threads = 0, .progress = true, .variables = variables}, &stats));
  } else {
    const std::vector<std::string> paths = catalog::discover_files(spec, &c.problems);
    c.source = catalog::is_glob(spec) ? spec : recorded_path(spec);
    // Two products in one store would interleave on one time axis.
    catalog::check_single_product(spec, paths);
    for (const auto& path : paths) {
      try {
        std::lock_guard lock(netcdf_mutex());
        const NcFile f = open_netcdf_quietly(path);
        c.files.push_back(catalog::read_metadata(f));
      } catch (const Error& e) {
        c.problems.push_back(e.what());
        c.unreadable.emplace_back(path, e.what());
      }
    }
  }
  if (c.files.empty()) {
    throw Error(spec + ": no readable NetCDF files" +
                (c.problems.empty() ? "" : " (first problem: " + c.problems.front() + ")"));
  }
  {
    std::vector<catalog::TimedFile> timed;
    for (const auto& f : c.files) {
      timed.push_back(
          {f.path, f.times,
           c.indexed ? c.indexed->entry(f.path).mtime_ns : catalog::file_mtime_ns(f.path)});
    }
    const std::vector<bool> use = catalog::resolve_duplicates(timed, duplicates);
    std::vector<catalog::FileMetadata> kept;
    for (size_t i = 0; i < c.files.size(); ++i) {
      if (use[i]) kept.push_back(std::move(c.files[i]));
    }
    c.files = std::move(kept);
  }
  const uint64_t grid = c.files.front().grid.fingerprint();
  for (size_t i = 0; i < c.files.size(); ++i) {
    const auto& f = c.files[i];
    if (f.grid.fingerprint() != grid) {
      throw Error(f.path + ": grid " + f.grid.describe() + " differs from " + c.files.front().path +
                  " (" + c.files.front().grid.describe() + ")");
    }
    for (size_t t = 0; t < f.times.size(); ++t) c.steps.push_back({f.times[t], i, t});
  }
  std::stable_sort(c.steps.begin(), c.steps.end(),
                   [](const auto& a, const auto& b) { return a.time < b.time; });
  for (size_t i = 1; i < c.steps.size(); ++i) {
    if (c.steps[i].time == c.steps[i - 1].time) {
      throw Error(c.files[c.steps[i].file].path + ": time step duplicates one in " +
                  c.files[c.steps[i - 1].file].path);
    }
  }
  return c;
}

namespace {
nlohmann::json attribute_value(int ncid, int varid, const char* name, const std::string& where) {
  nc_type type = NC_NAT;
  size_t len = 0;
  if (nc_inq_att(ncid, varid, name, &type, &len) != NC_NOERR) {
    throw Error(where + ": cannot read attribute " + name);
  }
  if (type == NC_CHAR) {
    std::string s(len, '\0');
    if (len) nc_get_att_text(ncid, varid, name, s.data());
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  }
  if (type == NC_STRING) {
    std::vector<char*> strs(len);
    nc_get_att_string(ncid, varid, name, strs.data());
    nlohmann::json arr = nlohmann::json::array();
    for (char* s : strs) arr.push_back(s ? std::string(s) : std::string());
    nc_free_string(len, strs.data());
    return len == 1 ? arr[0] : arr;
  }
  const bool integral = type != NC_FLOAT && type != NC_DOUBLE;
  nlohmann::json arr = nlohmann::json::array();
  if (integral) {
    std::vector<long long> v(len);
    nc_get_att_longlong(ncid, varid, name, v.data());
    for (long long x : v) arr.push_back(static_cast<int64_t>(x));
  } else {
    std::vector<double> v(len);
    nc_get_att_double(ncid, varid, name, v.data());
    for (double x : v) arr.push_back(x);
  }
  return len == 1 ? arr[0] : arr;
}

nlohmann::json read_attributes(const std::string& path, const std::string& variable) {
  std::lock_guard lock(netcdf_mutex());
  const NcFile f = open_netcdf_quietly(path);
  int varid = NC_GLOBAL;
  if (!variable.empty()) {
    const auto id = f.variable_id(variable);
    if (!id) throw Error(path + ": no variable " + variable);
    varid = *id;
  }
  int natts = 0;
  nc_inq_varnatts(f.id(), varid, &natts);
  nlohmann::json out = nlohmann::json::object();
  for (int a = 0; a < natts; ++a) {
    char name[NC_MAX_NAME + 1] = {};
    if (nc_inq_attname(f.id(), varid, a, name) != NC_NOERR) continue;
    out[name] = attribute_value(f.id(), varid, name, path + ": " + variable);
  }
  return out;
}

SourceVariable read_source_variable(const std::string& path, const std::string& variable) {
  std::lock_guard lock(netcdf_mutex());
  const NcFile f = open_netcdf_quietly(path);
  const auto id = f.variable_id(variable);
  if (!id) throw Error(path + ": no variable " + variable);
  SourceVariable v;
  v.type = catalog::storage_type(f.variable_type(*id), path + ": " + variable);
  v.valid_min = f.number_attribute(*id, "valid_min");
  v.valid_max = f.number_attribute(*id, "valid_max");
  return v;
}
}  // namespace

nlohmann::json Collection::attributes(const std::string& path, const std::string& variable) const {
  return indexed ? indexed->attributes(path, variable) : read_attributes(path, variable);
}

SourceVariable Collection::variable(const std::string& path, const std::string& variable) const {
  return indexed ? indexed->variable(path, variable) : read_source_variable(path, variable);
}

void read_rows(const catalog::FileMetadata& file, const std::string& variable, size_t index,
               size_t r0, size_t r1, const ValueEncoding& encoding, std::byte* out) {
  const size_t nx = file.grid.lon.size();
  const size_t n = (r1 - r0) * nx;
  const auto it = file.variables.find(variable);
  if (it == file.variables.end()) {
    encoding.encode_missing(n, out);
    return;
  }
  const auto& info = it->second;
  const std::string where = file.path + ": variable " + variable;
  if (info.dims.size() != 3 || info.dims[1] != file.grid.lat.name ||
      info.dims[2] != file.grid.lon.name) {
    throw Error(where + ": dimensions must be (time, lat, lon) to convert");
  }
  const catalog::StorageType type = info.packing.type;
  thread_local std::vector<std::byte> native;
  native.resize(n * catalog::storage_size(type));
  {
    std::lock_guard lock(netcdf_mutex());
    const NcFile f = open_netcdf_quietly(file.path);
    const size_t start[3] = {index, r0, 0};
    const size_t count[3] = {1, r1 - r0, nx};
    const int status = nc_get_vara(f.id(), info.varid, start, count, native.data());
    if (status != NC_NOERR) throw Error(where + ": read failed: " + nc_strerror(status));
  }
  encoding.encode(native.data(), type, info.packing, n, out, where);
}

}  // namespace pixeldrill::store

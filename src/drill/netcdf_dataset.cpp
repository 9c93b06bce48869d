#include "drill/netcdf_dataset.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "catalog/collection.h"
#include "catalog/file_name_time.h"
#include "core/error.h"
#include "drill/dataset_registry.h"
#include "drill/netcdf_reader.h"
#include "formats/netcdf/library_lock.h"
#include "io/registry.h"

namespace pixeldrill::drill {
namespace {
namespace fs = std::filesystem;
using catalog::FileMetadata;
using formats::netcdf::NcFile;

std::shared_ptr<const NetcdfDataset::Listing> make_listing(const std::vector<std::string>& paths) {
  auto listing = std::make_shared<NetcdfDataset::Listing>();
  listing->names_dated = !paths.empty();
  std::vector<int64_t> times;
  for (const auto& p : paths) {
    const auto t = catalog::time_from_file_name(p);
    listing->files.push_back({p, t});
    if (t) {
      times.push_back(*t);
    } else {
      listing->names_dated = false;
    }
  }
  std::sort(times.begin(), times.end());
  listing->margin = catalog::file_name_margin(times);
  return listing;
}

}  // namespace

NetcdfDataset::NetcdfDataset(std::string spec, std::vector<std::string> files,
                             std::vector<std::string> parts)
    : spec_(std::move(spec)), parts_(std::move(parts)), listing_(make_listing(files)) {
  if (parts_.empty()) parts_ = {spec_};
  auto info = std::make_shared<DatasetInfo>();
  info->source = spec_;
  info->kind = "netcdf";
  set_info(std::move(info));
}

std::shared_ptr<const NetcdfDataset::Listing> NetcdfDataset::listing() const {
  std::lock_guard lock(mutex_);
  return listing_;
}

std::vector<std::string> NetcdfDataset::files() const {
  std::vector<std::string> out;
  for (const auto& f : listing()->files) out.push_back(f.path);
  return out;
}

bool NetcdfDataset::has_metadata(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return meta_.count(path) > 0;
}

NetcdfDataset::FileFacts NetcdfDataset::metadata(const std::string& path,
                                                 const NcFile* file) const {
  {
    std::lock_guard lock(mutex_);
    const auto it = meta_.find(path);
    if (it != meta_.end()) return it->second.facts;
  }
  const std::string version = io::object_version(path);
  const auto nc_lock = formats::netcdf::library_lock();
  std::optional<NcFile> opened;
  if (!file) file = &opened.emplace(NcFile::open(path));
  FileMetadata read = catalog::read_metadata(*file);
  remember_attributes(*file, read);
  FileFacts facts;
  facts.grid_fingerprint = read.grid.fingerprint();
  std::lock_guard lock(mutex_);
  auto& grid = grids_[facts.grid_fingerprint];
  if (!grid) grid = std::make_shared<const catalog::Grid>(read.grid);
  facts.grid = grid;
  read.grid.lat.values = {};
  read.grid.lon.values = {};
  facts.meta = std::make_shared<const FileMetadata>(std::move(read));
  meta_[path] = {version, facts};
  return facts;
}

void NetcdfDataset::remember_attributes(const NcFile& file, const FileMetadata& meta) const {
  std::vector<std::pair<std::string, int>> missing;
  {
    std::lock_guard lock(mutex_);
    if (!attributes_.count("")) missing.emplace_back("", NC_GLOBAL);
    for (const auto& [name, v] : meta.variables) {
      if (!attributes_.count(name)) missing.emplace_back(name, v.varid);
    }
  }
  if (missing.empty()) return;
  std::map<std::string, nlohmann::json> read;
  for (const auto& [name, varid] : missing) read[name] = file.attributes(varid);
  std::lock_guard lock(mutex_);
  for (auto& [name, attrs] : read) attributes_.emplace(name, std::move(attrs));
}

DatasetVariable NetcdfDataset::describe(const catalog::VariableInfo& v) const {
  DatasetVariable d;
  d.name = v.name;
  d.type = v.packing.type;
  d.packing = v.packing;
  d.column = {v.name, v.units, v.long_name, v.standard_name};
  for (const auto c : v.chunks) d.chunks.push_back(c);
  std::lock_guard lock(mutex_);
  const auto it = attributes_.find(v.name);
  d.attributes = it != attributes_.end() ? it->second : nlohmann::json::object();
  return d;
}

nlohmann::json NetcdfDataset::global_attributes() const {
  std::lock_guard lock(mutex_);
  const auto it = attributes_.find("");
  return it != attributes_.end() ? it->second : nlohmann::json::object();
}

std::shared_ptr<const DatasetInfo> NetcdfDataset::info() const {
  {
    std::lock_guard lock(mutex_);
    if (full_info_) return full_info_;
  }
  const auto files = listing();
  auto info = std::make_shared<DatasetInfo>();
  info->source = spec_;
  info->kind = "netcdf";
  std::vector<FileFacts> good;
  std::string versions;
  for (const auto& f : files->files) {
    int64_t mtime = 0;
    versions += f.path + "=" + io::object_version(f.path, &mtime) + "\n";
    info->modified = std::max(info->modified, mtime);
    try {
      good.push_back(metadata(f.path, nullptr));
    } catch (const Error& e) {
      info->problems.push_back(problem_from_error(f.path, e));
    }
  }
  if (good.empty()) {
    throw Error(
        ErrorKind::kNotFound,
        spec_ + ": none of the " + std::to_string(files->files.size()) + " files could be read" +
            (info->problems.empty() ? std::string()
                                    : "; first problem: " + info->problems.front().message()));
  }
  // The grid most files share: the one a whole-collection query would use.
  std::map<uint64_t, size_t> counts;
  for (const auto& m : good) ++counts[m.grid_fingerprint];
  const auto best = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                      return a.second < b.second;
                    })->first;
  std::map<std::string, size_t> var_index;
  for (const auto& [meta, grid, fingerprint] : good) {
    if (fingerprint != best) continue;
    if (info->grid.lat.values.empty()) {
      info->grid = *grid;
      info->time_name = meta->time_name;
    }
    info->times.insert(info->times.end(), meta->times.begin(), meta->times.end());
    for (const auto& [name, v] : meta->variables) {
      auto [it, fresh] = var_index.try_emplace(name, info->variables.size());
      if (fresh) info->variables.push_back(describe(v));
      info->variables[it->second].steps_present += meta->times.size();
    }
  }
  std::sort(info->times.begin(), info->times.end());
  info->global_attributes = global_attributes();
  info->version = std::to_string(std::hash<std::string>{}(versions));
  std::lock_guard lock(mutex_);
  full_info_ = info;
  set_info(info);
  return info;
}

bool NetcdfDataset::refresh() {
  std::vector<std::string> files;
  for (const auto& part : parts_) {
    for (auto& f : catalog::discover_files(part)) files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  auto fresh = make_listing(files);
  std::lock_guard lock(mutex_);
  bool changed = fresh->files.size() != listing_->files.size();
  for (size_t i = 0; !changed && i < fresh->files.size(); ++i) {
    changed = fresh->files[i].path != listing_->files[i].path;
  }
  // Cached metadata of a file whose size or time changed, or that is gone, is dropped.
  std::map<std::string, std::string> now;
  for (const auto& f : fresh->files) now[f.path] = io::object_version(f.path);
  for (auto it = meta_.begin(); it != meta_.end();) {
    const auto n = now.find(it->first);
    if (n == now.end() || n->second != it->second.stamp) {
      it = meta_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) {
    full_info_.reset();
    listing_ = std::move(fresh);
    names_trusted_ = true;
  }
  return changed;
}

size_t NetcdfDataset::steps_bound(const Query& query) const {
  const auto files = listing();
  if (!files->names_dated) return files->files.size();
  const TimeRange& r = query.time;
  return static_cast<size_t>(std::count_if(files->files.begin(), files->files.end(), [&](auto& f) {
    return (!r.from || *f.name_time + files->margin >= *r.from) &&
           (!r.to || *f.name_time - files->margin <= *r.to);
  }));
}

std::unique_ptr<QueryReader> NetcdfDataset::reader_for(const Query& query) const {
  return make_netcdf_reader(*this, listing(), query);
}

namespace {
// A folder, glob or NetCDF file (or a path that is not there: the listing
// then names it); false for anything else that exists (an index or store).
bool netcdf_spec(const std::string& spec) {
  std::error_code ec;
  const bool dir = fs::is_directory(spec, ec);
  const bool file = !dir && fs::is_regular_file(spec, ec);
  if (file) {
    const std::string ext = fs::path(spec).extension().string();
    return catalog::has_netcdf_magic(spec) || ext == ".nc" || ext == ".nc4";
  }
  if (dir) return !fs::exists(fs::path(spec) / ".zmetadata", ec);
  return catalog::is_glob(spec) || !fs::exists(spec, ec);
}
}  // namespace

std::shared_ptr<Dataset> open_netcdf_sources(const std::vector<std::string>& sources) {
  if (sources.size() == 1) return open_dataset(sources.front());
  std::vector<std::string> files, skipped;
  for (const auto& source : sources) {
    if (!netcdf_spec(source)) {
      throw BadRequest(source +
                       ": several SOURCE arguments make one collection of NetCDF "
                       "files, folders or globs; an index or store is drilled alone");
    }
    for (auto& f : catalog::discover_files(source, &skipped)) files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  const std::string spec =
      sources.front() + " (and " + std::to_string(sources.size() - 1) + " more SOURCE arguments)";
  auto dataset = std::make_shared<NetcdfDataset>(spec, std::move(files), sources);
  std::vector<Problem> problems;
  for (const auto& why : skipped) problems.push_back(problem_from_message(why));
  dataset->set_walk_problems(std::move(problems));
  return dataset;
}

std::shared_ptr<Dataset> open_netcdf_dataset(const std::string& spec) {
  std::error_code ec;
  const bool dir = fs::is_directory(spec, ec);
  const bool file = !dir && fs::is_regular_file(spec, ec);
  if (file) {
    const std::string ext = fs::path(spec).extension().string();
    if (!catalog::has_netcdf_magic(spec) && ext != ".nc" && ext != ".nc4") return nullptr;
  } else if (!dir && !catalog::is_glob(spec) && fs::exists(spec, ec)) {
    return nullptr;
  }
  std::vector<std::string> skipped;
  auto files = catalog::discover_files(spec, &skipped);
  auto dataset = std::make_shared<NetcdfDataset>(spec, std::move(files));
  std::vector<Problem> problems;
  for (const auto& why : skipped) problems.push_back(problem_from_message(why));
  dataset->set_walk_problems(std::move(problems));
  return dataset;
}

namespace {
const bool kRegistered = register_dataset_opener({"netcdf", 0, &open_netcdf_dataset});
}  // namespace

}  // namespace pixeldrill::drill

#pragma once
// The reference backend: a collection of NetCDF files (folder, glob or single
// file) read through netCDF-C (nc_get_vara_double). Slow but simple; every
// faster backend is checked against it.
//
// Opening lists the files only. A query opens just the files whose name date
// lies near its time range (confirmed against the times stored in the files
// it opens; all files when names carry no date or turn out unreliable), each
// once, and caches their metadata for later queries. info() opens every file
// once. netCDF-C holds a library-wide lock (formats/netcdf/library_lock.h),
// so queries from several threads are safe but read one file at a time.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/nc_metadata.h"
#include "drill/dataset_base.h"

namespace pixeldrill::drill {

class NetcdfDataset : public DatasetBase {
 public:
  // `parts`: the SOURCE arguments that make the collection (default: spec);
  // refresh() lists them again.
  NetcdfDataset(std::string spec, std::vector<std::string> files,
                std::vector<std::string> parts = {});
  std::shared_ptr<const DatasetInfo> info() const override;
  bool refresh() override;
  std::vector<std::string> files() const;

  struct File {
    std::string path;
    std::optional<int64_t> name_time;
  };
  struct Listing {
    std::vector<File> files;
    bool names_dated = false;  // every file name carries a date
    int64_t margin = 0;        // catalog::file_name_margin of the name times
  };

  // What a query needs of one file. The grid is shared by every file on it
  // (the file's own copy keeps the axis names, not the values), so ten
  // thousand cached files do not hold ten thousand copies of a 10,500-value grid.
  struct FileFacts {
    std::shared_ptr<const catalog::FileMetadata> meta;
    std::shared_ptr<const catalog::Grid> grid;
    uint64_t grid_fingerprint = 0;
  };
  // From the cache, or read from `file` (opened here when null). Throws Error
  // naming the file when it cannot be read.
  FileFacts metadata(const std::string& path, const formats::netcdf::NcFile* file) const;
  bool has_metadata(const std::string& path) const;
  // Attributes of a variable (or "" for the file's global ones) as first seen.
  void remember_attributes(const formats::netcdf::NcFile& file,
                           const catalog::FileMetadata& meta) const;
  DatasetVariable describe(const catalog::VariableInfo& v) const;
  nlohmann::json global_attributes() const;
  const std::string& spec() const { return spec_; }
  std::atomic<bool>& names_trusted() const { return names_trusted_; }
  // Entries the folder walk skipped (link loops, dangling links, FIFOs):
  // every drill reports them, so its result is partial.
  void set_walk_problems(std::vector<Problem> problems) { walk_problems_ = std::move(problems); }
  const std::vector<Problem>& walk_problems() const { return walk_problems_; }

 protected:
  std::unique_ptr<QueryReader> reader_for(const Query& query) const override;
  // Files whose name date is near the range (all when names carry none): one
  // step per file, as daily GHRSST files hold; no file is opened.
  size_t steps_bound(const Query& query) const override;

 private:
  std::shared_ptr<const Listing> listing() const;

  std::string spec_;
  std::vector<std::string> parts_;
  std::vector<Problem> walk_problems_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Listing> listing_;
  struct CachedMetadata {
    std::string stamp;  // size and modification time when it was read
    FileFacts facts;
  };
  mutable std::map<std::string, CachedMetadata> meta_;
  mutable std::map<uint64_t, std::shared_ptr<const catalog::Grid>> grids_;
  mutable std::map<std::string, nlohmann::json> attributes_;  // "" = global
  mutable std::shared_ptr<const DatasetInfo> full_info_;
  mutable std::atomic<bool> names_trusted_{true};
};

// Recognises folders, globs and NetCDF files; nullptr for anything else
// that exists (an index or store file), Error for a path that does not.
std::shared_ptr<Dataset> open_netcdf_dataset(const std::string& spec);

// Several SOURCE arguments (a shell-expanded `data/2021/*.nc`, or folders and
// globs side by side) as one collection. Each must be a NetCDF file, folder
// or glob: an index or store among them is refused by name.
std::shared_ptr<Dataset> open_netcdf_sources(const std::vector<std::string>& sources);

}  // namespace pixeldrill::drill

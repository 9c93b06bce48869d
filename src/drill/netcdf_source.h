#pragma once
// The reference drill path: a collection of NetCDF files (folder, glob or
// single file) read through netCDF-C (nc_get_vara_double). Slow but simple;
// every faster path is checked against it.
#include <memory>
#include <string>
#include <vector>

#include "drill/source.h"

namespace pixeldrill::drill {

class NetcdfSource : public DrillSource {
 public:
  NetcdfSource(std::string spec, std::vector<std::string> files)
      : spec_(std::move(spec)), files_(std::move(files)) {}
  Series drill(const Query& query) override;
  std::string kind() const override { return "netcdf"; }
  const std::vector<std::string>& files() const { return files_; }
  // An entry the folder walk skipped (link loop, dangling link, FIFO): every
  // drill reports it, so the result is partial.
  void add_walk_problem(Problem problem) { walk_problems_.push_back(std::move(problem)); }

 private:
  std::string spec_;
  std::vector<std::string> files_;
  std::vector<Problem> walk_problems_;
};

// Recognises folders, globs and NetCDF files; nullptr for anything else
// that exists (an index or store file), Error for a path that does not.
std::unique_ptr<DrillSource> open_netcdf_source(const std::string& spec);

}  // namespace pixeldrill::drill

#pragma once
// A drillable SOURCE: a collection of NetCDF files (folder, glob or file), a
// chunk index, or a Zarr store. Each kind registers an opener that
// recognises its SOURCE by what it is (folder layout, magic bytes), so the
// CLI's `drill SOURCE` needs no flag saying which path to take.
#include <functional>
#include <memory>
#include <string>

#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::drill {

class DrillSource {
 public:
  virtual ~DrillSource() = default;
  // Answers the query; files that cannot be read are skipped and listed in
  // Series::problems. Throws Error when nothing sensible can be returned.
  virtual Series drill(const Query& query) = 0;
  virtual std::string kind() const = 0;  // "netcdf", "index", "store"
};

struct SourceOpener {
  std::string kind;
  int priority = 0;  // higher is tried first
  // Returns nullptr when `spec` is not of this kind; throws Error when it is
  // but cannot be opened.
  std::function<std::unique_ptr<DrillSource>(const std::string& spec)> open;
};

bool register_source_opener(SourceOpener opener);
// Tries every registered opener, highest priority first; throws Error naming
// `spec` when none recognises it.
std::unique_ptr<DrillSource> open_source(const std::string& spec);

}  // namespace pixeldrill::drill

#pragma once
// One opened collection, whatever holds it: a folder of NetCDF files, a chunk
// index or a Zarr store (and, through io/, the same on HTTP or S3). Opened
// once, it describes what it holds (grid, time steps, variables, problems)
// and answers many queries, from several threads at once, without re-reading
// metadata it already holds. A long-running server keeps one per dataset and
// calls refresh() when asked to look for new or changed files.
//
// Query -> Plan -> SeriesBuilder sit above every backend; a backend only
// reads stored numbers (drill/dataset_reader.h).
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "drill/query.h"
#include "drill/series.h"
#include "formats/packing.h"

namespace pixeldrill::drill {

struct DatasetVariable {
  std::string name;
  formats::StorageType type = formats::StorageType::kFloat32;
  // Of the first file (or the store) that holds it; with scale_factor or
  // add_offset, values leave the drill decoded (type says how they are stored).
  formats::Packing packing;
  Column column;                 // units, long_name, standard_name as stored
  nlohmann::json attributes;     // every attribute as stored (object; numbers, strings, arrays)
  std::vector<uint64_t> chunks;  // (time, lat, lon) chunk shape of the first step that holds it
  size_t steps_present = 0;      // time steps whose file holds it (eras differ)
};

struct DatasetInfo {
  std::string source;  // the SOURCE as given (folder, glob, index, store, URL)
  std::string kind;    // "netcdf", "index", "store"
  catalog::Grid grid;
  std::string time_name = "time";
  std::vector<int64_t> times;  // every time step, Unix seconds UTC, ascending
  std::vector<DatasetVariable> variables;
  nlohmann::json global_attributes = nlohmann::json::object();  // of the first file / the store
  std::vector<Problem> problems;  // files or parts skipped while opening
  std::string version;            // changes whenever the answers could (HTTP ETag)
  int64_t modified = 0;           // Unix seconds of the newest data (HTTP Last-Modified)

  const DatasetVariable* find(const std::string& name) const;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  // A snapshot: stays valid (and unchanged) while refresh() swaps in a new one.
  virtual std::shared_ptr<const DatasetInfo> info() const = 0;
  // Answers the query; files that cannot be read are skipped and listed in
  // Series::problems. Throws Error (with its kind) when nothing sensible can
  // be returned. Safe to call from several threads at once.
  virtual Series drill(const Query& query) const = 0;
  // Looks for new, changed or removed files (or store steps); returns true
  // when info() changed. Queries running meanwhile finish on the old state.
  virtual bool refresh() = 0;
};

// Recognises SOURCE by what it is (a store folder, an index file's magic
// bytes, a folder/glob/NetCDF file) and opens it. Throws Error (kNotFound
// when nothing is there) naming SOURCE.
std::shared_ptr<Dataset> open_dataset(const std::string& source);

}  // namespace pixeldrill::drill

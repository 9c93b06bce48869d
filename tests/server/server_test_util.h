#pragma once
// A served dataset for the server tests: a small synthetic collection opened
// with drill::open_dataset, with info() filled from the files' CF metadata
// here (grid, times, variables) so the tests do not depend on how far each
// backend fills info() itself.
#include <memory>

#include "../drill/drill_test_util.h"
#include "catalog/collection.h"
#include "catalog/nc_metadata.h"
#include "drill/dataset.h"
#include "server/service.h"

namespace pixeldrill::testing {

class InfoFilledDataset : public drill::Dataset {
 public:
  explicit InfoFilledDataset(const std::string& folder) : inner_(drill::open_dataset(folder)) {
    auto info = std::make_shared<drill::DatasetInfo>(*inner_->info());
    // Filled here from the files alone, whatever the backend already gives.
    info->grid = {};
    info->times.clear();
    info->variables.clear();
    std::map<std::string, size_t> present;
    for (const auto& path : catalog::discover_files(folder)) {
      const auto file = formats::netcdf::NcFile::open(path);
      const auto meta = catalog::read_metadata(file);
      if (info->grid.lat.values.empty()) {
        info->grid = meta.grid;
        info->time_name = meta.time_name;
        for (const auto& [name, v] : meta.variables) {
          drill::DatasetVariable dv;
          dv.name = name;
          dv.type = v.packing.type;
          dv.packing = v.packing;
          dv.column = {name, v.units, v.long_name, v.standard_name};
          dv.attributes = {{"units", v.units}, {"long_name", v.long_name}};
          if (v.packing.scale_factor) dv.attributes["scale_factor"] = *v.packing.scale_factor;
          if (v.packing.add_offset) dv.attributes["add_offset"] = *v.packing.add_offset;
          dv.chunks.assign(v.chunks.begin(), v.chunks.end());
          info->variables.push_back(dv);
        }
      }
      for (int64_t t : meta.times) info->times.push_back(t);
    }
    info->global_attributes = {{"title", "synthetic"}};
    info->modified = info->times.empty() ? 0 : info->times.back();
    info_ = info;
  }
  std::shared_ptr<const drill::DatasetInfo> info() const override { return info_; }
  drill::Series drill(const drill::Query& q) const override { return inner_->drill(q); }
  bool refresh() override { return false; }

 private:
  std::shared_ptr<drill::Dataset> inner_;
  std::shared_ptr<const drill::DatasetInfo> info_;
};

// Six days at 90 x 120 (lat 19.99..-69.99 descending), SST + quality_level.
inline bool make_server_collection(const std::string& dir) {
  return run(pixeldrill_bin() + " synth " + dir +
             " --decimate 50 -q --threads 2 --no-gaps --from 2024-01-01 --to 2024-01-06"
             " --vars sea_surface_temperature,quality_level")
             .status == 0;
}

inline std::shared_ptr<server::Service> make_service(const std::string& folder,
                                                     size_t max_values = 1'000'000) {
  server::ServerConfig config;
  config.port = 0;
  config.max_values = max_values;
  config.access_log = "off";
  config.threads = 8;
  config.datasets = {{"sst", folder, "Synthetic SST", "test", "CC-BY 4.0"}};
  std::vector<server::ServedDataset> served = {
      {config.datasets[0], std::make_shared<InfoFilledDataset>(folder)}};
  return std::make_shared<server::Service>(config, served);
}

inline server::HttpResponse get(const server::Service& s, const std::string& target) {
  server::HttpRequest r;
  r.target = target;
  r.header = [](const std::string&) { return std::string(); };
  return s.handle(r);
}

}  // namespace pixeldrill::testing

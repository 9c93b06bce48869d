#pragma once
// The query options every bench tool takes, parsed once with CLI11 and the
// same point / box / stations readers as `pixeldrill drill`, so a tool asks
// exactly the question the harness gave pixeldrill:
//   --files LIST.txt --vars a,b (--point LAT,LON | --stations FILE.csv | --box S,N,W,E)
#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "drill/stations.h"

namespace pixeldrill::bench {

struct QueryArgs {
  std::vector<std::string> files;  // from --files, one path a line
  std::vector<std::string> vars;
  std::vector<drill::Site> sites;  // --point (one, empty id) or --stations
  std::optional<drill::Box> box;   // S,N,W,E
};

// The plain nearest-index scan a hand-written tool does (first of equally
// near values); the harness asks only exact pixel centres, so no tie arises.
inline size_t nearest(const std::vector<double>& axis, double q) {
  size_t best = 0;
  for (size_t i = 1; i < axis.size(); ++i)
    if (std::fabs(axis[i] - q) < std::fabs(axis[best] - q)) best = i;
  return best;
}

// Registers the query options on `app`; call finish_query_args after parsing.
inline void add_query_options(CLI::App& app, QueryArgs& a, std::string& files_list,
                              std::string& point, std::string& stations, std::string& box) {
  app.add_option("--files", files_list, "text file listing the NetCDF files, one a line")
      ->required();
  app.add_option("--vars", a.vars, "variables")->required()->delimiter(',');
  auto* where = app.add_option_group("where");
  where->add_option("--point", point, "LAT,LON");
  where->add_option("--stations", stations, "CSV id,lat,lon");
  where->add_option("--box", box, "S,N,W,E");
  where->require_option(1);
}

inline void finish_query_args(QueryArgs& a, const std::string& files_list, const std::string& point,
                              const std::string& stations, const std::string& box) {
  std::ifstream in(files_list);
  if (!in) throw std::runtime_error("--files: cannot read " + files_list);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) a.files.push_back(line);
  if (!point.empty()) a.sites.push_back(drill::parse_point(point));
  if (!stations.empty()) a.sites = drill::read_stations(stations);
  if (!box.empty()) a.box = drill::parse_box(box);
}

}  // namespace pixeldrill::bench

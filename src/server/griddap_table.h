#pragma once
// The values a resolved griddap request asks for, fetched through the one
// drill path (Dataset::drill) and laid out as ERDDAP lays out a grid: every
// combination of the selected time, latitude and longitude indices, time
// slowest, one value per data variable, NaN where nothing is stored.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "drill/dataset.h"
#include "server/griddap_query.h"

namespace pixeldrill::server {

struct GriddapColumn {
  std::string name;
  std::string units;
  std::string type;  // ERDDAP/OPeNDAP-style: "String", "float", "double", "short", ...
};

struct GriddapTable {
  std::vector<GriddapColumn> columns;  // time, lat, lon, then data variables
  std::vector<int64_t> times;
  std::vector<double> lats, lons;
  size_t nvars = 0;
  std::vector<double> values;  // [time][lat][lon][var]
  std::vector<drill::Problem> problems;
  bool axis_only = false;  // one axis listed alone: rows are its values
  std::string axis_name;

  size_t rows() const;
  double value(size_t t, size_t y, size_t x, size_t v) const {
    return values[((t * lats.size() + y) * lons.size() + x) * nvars + v];
  }
};

using Deadline = std::chrono::steady_clock::time_point;

// Throws Error(kTooLarge) when the request would return more than
// `max_values` numbers (before reading anything) and Error(kIo) with a
// timeout message once `deadline` has passed.
GriddapTable fetch_griddap(const drill::Dataset& dataset, const drill::DatasetInfo& info,
                           const ResolvedGriddap& request, size_t max_values, Deadline deadline);

// The 413 text: the limit and how to split the request.
std::string too_much_data_message(size_t requested, size_t limit);

}  // namespace pixeldrill::server

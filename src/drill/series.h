#pragma once
// The answer to a Query: a tidy table, one row per time step per site (or per
// box pixel, or per time step for a reduced box), one column per variable.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace pixeldrill::drill {

struct Column {
  std::string name;   // variable name, e.g. sea_surface_temperature
  std::string units;  // after --celsius: "degree_Celsius"
  std::string long_name;
  std::string standard_name;
};

struct Row {
  int64_t time = 0;  // Unix seconds UTC
  std::string site;  // station id; empty for a point or a box
  double lat = 0;    // pixel centre used (box centre for a reduced box)
  double lon = 0;
  std::vector<double> values;  // one per Column; NaN when missing
};

struct Series {
  std::vector<Column> columns;
  std::vector<Row> rows;              // sorted by (time, site order, lat desc, lon asc)
  std::vector<std::string> problems;  // files skipped, each message naming the file
  std::string source;                 // which path answered: "netcdf", "index", "store"

  bool partial() const { return !problems.empty(); }
  static constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace pixeldrill::drill

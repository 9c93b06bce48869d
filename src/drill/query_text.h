#pragma once
// The text forms of a query as users type them (CLI options, HTTP query
// parameters), parsed once in the library so the CLI and the server accept
// the same things and give the same messages. Errors are
// Error(ErrorKind::kBadRequest) naming the option (e.g. "--point").
#include <string>
#include <vector>

#include "drill/query.h"

namespace pixeldrill::drill {

struct QueryText {
  std::string point;     // "LAT,LON"
  std::string stations;  // path of a stations CSV
  std::string box;       // "S,N,W,E"
  std::string bbox;      // "W,S,E,N" (GDAL/STAC order), the same box
  std::string reduce = "none";
  std::string vars;  // "a,b"; empty: the default variables
  // ISO 8601 (Z or +HH:MM offsets, fractional seconds); a date, month
  // (YYYY-MM) or year (YYYY) means the whole of it: `to` is through its end.
  std::string from, to;
  int min_quality = -1;  // < 0: no QC mask
  bool celsius = false;
  std::string product;        // part of the GHRSST product name (file name after the date)
  std::string nearest_valid;  // radius in km; empty: the nearest pixel, valid or not
  bool keep_columns = false;  // keep the stations file's other columns in the output
};

Query parse_query(const QueryText& text);

// "a, b,c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text);

}  // namespace pixeldrill::drill

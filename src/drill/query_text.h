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
  std::string reduce = "none";
  std::string vars;      // "a,b"; empty: the default variables
  std::string from, to;  // ISO 8601; a bare date in `to` means the whole day
  int min_quality = -1;  // < 0: no QC mask
  bool celsius = false;
};

Query parse_query(const QueryText& text);

// "a, b,c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text);

}  // namespace pixeldrill::drill

#pragma once
// ERDDAP griddap query text, e.g.
//   sea_surface_temperature[(2024-01-01T00:00:00Z):1:(last)][(-32.5)][(115):2:(116)]
// parsed without knowing the dataset (so a fuzzer can drive it alone), then
// resolved against a dataset's axes into index ranges the way ERDDAP does:
// value constraints in parentheses round to the nearest axis value, bare
// numbers are indices, `last` / `last-N` name the end of an axis.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drill/dataset.h"

namespace pixeldrill::server {

// One end of a range: `[3]`, `[last-2]`, `[(115.5)]`, `[(2024-01-01)]`, `[(last-86400)]`.
struct AxisBound {
  enum class Kind { kIndex, kValue, kLast };
  Kind kind = Kind::kIndex;
  bool in_parentheses = false;  // value form: (…)
  int64_t index = 0;            // kIndex
  double value = 0;             // kValue (time as Unix seconds)
  bool is_time_text = false;    // kValue given as ISO 8601 text
  double last_offset = 0;       // kLast: `last-N` subtracts N (index or axis units)
  std::string text;             // as written, for error messages
};

struct AxisConstraint {
  AxisBound start, stop;
  int64_t stride = 1;
  std::string text;  // "[(a):1:(b)]" as written
};

struct GriddapVariable {
  std::string name;
  std::vector<AxisConstraint> axes;  // empty: the whole of every axis
};

struct GriddapRequest {
  std::vector<GriddapVariable> variables;  // empty: every data variable, whole axes
};

// Percent-decodes `query` and parses it. Throws Error(kBadRequest) with an
// ERDDAP-style "Query error: ..." message. Never reads anything but `query`.
GriddapRequest parse_griddap_query(std::string_view query);

// "%5B" -> "["; '+' stays '+' (ERDDAP treats it literally in griddap values).
std::string percent_decode(std::string_view text);

// Index ranges of one axis after resolution: first, stride, last (inclusive,
// first <= last in storage order).
struct AxisSelection {
  size_t first = 0, stride = 1, last = 0;
  size_t count() const { return (last - first) / stride + 1; }
};

struct ResolvedGriddap {
  std::vector<std::string> data_variables;  // may be empty: axis values only
  std::vector<std::string> axis_variables;  // requested axes (axis-only requests)
  AxisSelection time, lat, lon;
};

// The dataset's axis order is time, lat, lon. Throws Error(kBadRequest) for
// constraints outside the axes, Error(kNotFound) for unknown variables.
ResolvedGriddap resolve_griddap(const GriddapRequest& request, const drill::DatasetInfo& info);

}  // namespace pixeldrill::server

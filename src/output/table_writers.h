#pragma once
// Text renderings of a Series: tidy CSV (time, site, lat, lon, one column per
// variable; a missing value is an empty field) and JSON (columns with units,
// rows, problems; a missing value is null).
#include <string>

#include "drill/series.h"

namespace pixeldrill::output {

std::string to_csv(const drill::Series& series);
// RFC 4180 quoting for fields that contain separators, quotes or line breaks.
std::string csv_field(const std::string& s);
std::string to_json(const drill::Series& series);

}  // namespace pixeldrill::output

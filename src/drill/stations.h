#pragma once
// Station lists for --stations: CSV rows `id,lat,lon`, optional header line,
// blank lines and `#` comments ignored.
#include <istream>
#include <string>
#include <vector>

#include "drill/query.h"

namespace pixeldrill::drill {

// Throws Error naming the file and line of the first bad row.
std::vector<Site> read_stations(const std::string& path);
// The same rows from a stream (`path` names it in messages).
std::vector<Site> read_stations(std::istream& in, const std::string& path);

// "LAT,LON" for --point; throws Error naming --point.
Site parse_point(const std::string& text);
// "S,N,W,E" for --box; throws Error naming --box.
Box parse_box(const std::string& text);

}  // namespace pixeldrill::drill

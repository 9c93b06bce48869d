#pragma once
// Station lists for --stations, as spreadsheets and scripts write them: CSV
// (RFC 4180 quoting, CRLF or LF, UTF-8 byte order mark) read with libcsv.
// A header row decides the column order (id/station/site, lat/latitude,
// lon/longitude/long/lng, any case) and names the extra columns, which are
// kept (Stations::extra_columns) for --keep-columns. Without a header the
// rows are `id,lat,lon`. Blank lines and rows starting with `#` are ignored.
#include <istream>
#include <string>
#include <vector>

#include "drill/query.h"

namespace pixeldrill::drill {

struct Stations {
  std::vector<Site> sites;
  std::vector<std::string> extra_columns;       // header columns other than id, lat, lon
  std::vector<std::vector<std::string>> extra;  // per site, in extra_columns order
};

// Throws BadRequest naming the file and line of the first bad row
// (Error(kNotFound) when the file cannot be opened).
Stations read_station_table(const std::string& path);
// The same from a stream (`path` names it in messages).
Stations read_station_table(std::istream& in, const std::string& path);
std::vector<Site> read_stations(const std::string& path);

// "LAT,LON" for --point; throws BadRequest naming --point.
Site parse_point(const std::string& text);
// "S,N,W,E" for --box; throws BadRequest naming --box. West may be east of
// east: the box then crosses the antimeridian (170,-170 is 170..190).
Box parse_box(const std::string& text);
// "W,S,E,N" for --bbox (the GDAL/STAC order); the same Box.
Box parse_bbox(const std::string& text);

}  // namespace pixeldrill::drill

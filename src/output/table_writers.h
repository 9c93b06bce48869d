#pragma once
// Text renderings of a Series: tidy CSV (time, site, lat, lon, one column per
// variable; a missing value is an empty field), JSON that pandas reads with
// read_json(orient="table") (a Table Schema with units, data rows, problems;
// a missing value is null) and ERDDAP's table JSON.
#include <string>

#include "drill/series.h"
#include "output/format_number.h"

namespace pixeldrill::output {

struct TableOptions {
  Precision precision = Precision::kData;
  bool units_row = false;  // CSV: a second header row of units, as ERDDAP's .csv
};

std::string to_csv(const drill::Series& series, const TableOptions& options = {});
// RFC 4180 quoting for fields that contain separators, quotes or line breaks.
std::string csv_field(const std::string& s);
std::string to_json(const drill::Series& series, const TableOptions& options = {});
// {"table": {"columnNames", "columnTypes", "columnUnits", "rows"}} as ERDDAP's .json.
std::string to_erddap_json(const drill::Series& series, const TableOptions& options = {});

}  // namespace pixeldrill::output

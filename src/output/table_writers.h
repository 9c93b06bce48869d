#pragma once
// Text renderings of a Series: tidy CSV (time, site, lat, lon, one column per
// variable; a missing value is an empty field), JSON that pandas reads with
// read_json(orient="table") (a Table Schema with units, data rows, problems;
// a missing value is null) and ERDDAP's table JSON.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
// The same, appended to `out`.
void append_csv_field(std::string& out, const std::string& s);
std::string to_json(const drill::Series& series, const TableOptions& options = {});
// {"table": {"columnNames", "columnTypes", "columnUnits", "rows"}} as ERDDAP's .json.
std::string to_erddap_json(const drill::Series& series, const TableOptions& options = {});

// The pieces of the three texts, shared with the block-by-block writer
// (output/table_stream.h) so both give the same bytes. `head` holds the
// columns and site columns; `periods` says whether rows carry a period.
std::string csv_header(const drill::Series& head, bool periods, const TableOptions& options);
void append_csv_rows(std::string& out, const drill::Series& head, const drill::Series& block,
                     bool periods, const TableOptions& options);
// The JSON document with an empty "data"; column_has_null[i]: column i has a
// missing value somewhere (its Table Schema type is then never "integer").
nlohmann::json json_document(const drill::Series& summary, bool periods,
                             const std::vector<bool>& column_has_null, const TableOptions& options);
// How `head`'s columns are written (made once per table, not per value).
std::vector<ValueFormat> value_formats(const drill::Series& head, const TableOptions& options);
nlohmann::json json_row(const drill::Row& row, const drill::Series& head,
                        const std::map<int64_t, drill::Period>& periods,
                        const std::vector<ValueFormat>& formats);
void note_nulls(std::vector<bool>& has_null, const std::vector<drill::Row>& rows);
nlohmann::json erddap_document(const drill::Series& head, bool periods,
                               const TableOptions& options);
nlohmann::json erddap_row(const drill::Row& row, const drill::Series& head,
                          const std::map<int64_t, drill::Period>& periods, bool with_period,
                          const std::vector<ValueFormat>& formats);

}  // namespace pixeldrill::output

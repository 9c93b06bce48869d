#include "output/table_writers.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "core/utf8.h"

namespace pixeldrill::output {
namespace {
using nlohmann::json;

// A value as a JSON number carrying the same digits as the CSV text
// (integers as integers); null when missing.
json json_value(double v, const drill::Column& column, Precision precision) {
  const std::string text = format_value(v, column, precision);
  if (text.empty()) return nullptr;
  if (column.digits == drill::Digits::kInteger && text.find_first_of(".eE") == std::string::npos &&
      std::isfinite(v)) {
    return static_cast<int64_t>(v);
  }
  return std::isfinite(v) ? json(std::stod(text)) : json(nullptr);
}

double coordinate(double v) { return std::stod(format_coordinate(v)); }

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string to_csv(const drill::Series& series, const TableOptions& options) {
  // Aggregates carry their ISO 8601 period after the period's start time.
  const bool periods = !series.periods.empty();
  std::string out = periods ? "time,period,site,lat,lon" : "time,site,lat,lon";
  for (const auto& name : series.site_columns) out += "," + csv_field(name);
  for (const auto& c : series.columns) out += "," + csv_field(c.name);
  out += "\n";
  if (options.units_row) {
    out += periods ? "UTC,,,degrees_north,degrees_east" : "UTC,,degrees_north,degrees_east";
    out += std::string(series.site_columns.size(), ',');
    for (const auto& c : series.columns) out += "," + csv_field(c.units);
    out += "\n";
  }
  for (const auto& row : series.rows) {
    out += format_iso8601(row.time);
    out += ",";
    if (periods) {
      const auto it = series.periods.find(row.time);
      if (it != series.periods.end()) out += it->second.label;
      out += ",";
    }
    out += csv_field(row.site);
    out += ",";
    out += format_coordinate(row.lat);
    out += ",";
    out += format_coordinate(row.lon);
    if (!series.site_columns.empty()) {
      const auto it = series.site_values.find(row.site);
      for (size_t i = 0; i < series.site_columns.size(); ++i) {
        out += ",";
        if (it != series.site_values.end() && i < it->second.size()) {
          out += csv_field(it->second[i]);
        }
      }
    }
    for (size_t i = 0; i < row.values.size(); ++i) {
      out += ",";
      if (i < series.columns.size()) {
        out += format_value(row.values[i], series.columns[i], options.precision);
      } else {
        out += format_value(row.values[i]);
      }
    }
    out += "\n";
  }
  return out;
}

std::string to_json(const drill::Series& series, const TableOptions& options) {
  const bool periods = !series.periods.empty();
  // Table Schema fields (pandas orient="table"): a column typed "integer"
  // must hold no nulls, since pandas casts it to int64.
  json fields = json::array();
  fields.push_back({{"name", "time"}, {"type", "datetime"}, {"tz", "UTC"}, {"units", "UTC"}});
  if (periods) {
    fields.push_back({{"name", "period"}, {"type", "string"}});
    fields.push_back({{"name", "time_end"}, {"type", "datetime"}, {"tz", "UTC"}});
  }
  fields.push_back({{"name", "site"}, {"type", "string"}});
  fields.push_back({{"name", "lat"}, {"type", "number"}, {"units", "degrees_north"}});
  fields.push_back({{"name", "lon"}, {"type", "number"}, {"units", "degrees_east"}});
  json columns = json::array();
  for (size_t i = 0; i < series.columns.size(); ++i) {
    const auto& c = series.columns[i];
    bool has_null = false;
    for (const auto& row : series.rows)
      has_null |= i < row.values.size() && std::isnan(row.values[i]);
    const bool integer =
        c.digits == drill::Digits::kInteger && !has_null && options.precision == Precision::kData;
    json field = {{"name", printable_utf8(c.name)},
                  {"type", integer ? "integer" : "number"},
                  {"units", printable_utf8(c.units)},
                  {"long_name", printable_utf8(c.long_name)},
                  {"standard_name", printable_utf8(c.standard_name)}};
    json column = {{"name", printable_utf8(c.name)},
                   {"units", printable_utf8(c.units)},
                   {"long_name", printable_utf8(c.long_name)},
                   {"standard_name", printable_utf8(c.standard_name)}};
    const auto method = series.cell_methods.find(c.name);
    if (method != series.cell_methods.end()) {
      field["cell_methods"] = method->second;
      column["cell_methods"] = method->second;
    }
    fields.push_back(std::move(field));
    columns.push_back(std::move(column));
  }
  json data = json::array();
  for (const auto& row : series.rows) {
    json r = {{"time", format_iso8601(row.time)},
              {"site", printable_utf8(row.site)},
              {"lat", coordinate(row.lat)},
              {"lon", coordinate(row.lon)}};
    if (const auto it = series.site_values.find(row.site); it != series.site_values.end()) {
      for (size_t i = 0; i < series.site_columns.size() && i < it->second.size(); ++i) {
        r[printable_utf8(series.site_columns[i])] = printable_utf8(it->second[i]);
      }
    }
    if (const auto it = series.periods.find(row.time); it != series.periods.end()) {
      r["period"] = it->second.label;
      r["time_end"] = format_iso8601(it->second.end);
    }
    for (size_t i = 0; i < series.columns.size() && i < row.values.size(); ++i) {
      r[printable_utf8(series.columns[i].name)] =
          json_value(row.values[i], series.columns[i], options.precision);
    }
    data.push_back(std::move(r));
  }
  json problems = json::array();
  for (const auto& p : series.problems) {
    // A file name that is not UTF-8 is shown with \xNN escapes rather than
    // aborting the whole JSON document.
    problems.push_back({{"path", printable_utf8(p.path)},
                        {"variable", printable_utf8(p.variable)},
                        {"reason", printable_utf8(p.reason)},
                        {"message", printable_utf8(p.message())}});
  }
  json notes = json::array();
  for (const auto& n : series.notes) notes.push_back(printable_utf8(n));
  json doc = {{"schema", {{"fields", fields}, {"pandas_version", "1.4.0"}}},
              {"source", printable_utf8(series.source)},
              {"partial", series.partial()},
              {"problems", problems},
              {"notes", notes},
              {"columns", columns},
              {"data", data}};
  return doc.dump(1) + "\n";
}

std::string to_erddap_json(const drill::Series& series, const TableOptions& options) {
  const bool periods = !series.periods.empty();
  json names = {"time"}, types = {"String"}, units = {"UTC"};
  if (periods) {
    names.push_back("period");
    types.push_back("String");
    units.push_back(nullptr);
  }
  for (const char* n : {"site", "lat", "lon"}) names.push_back(n);
  for (const char* t : {"String", "double", "double"}) types.push_back(t);
  units.push_back(nullptr);
  units.push_back("degrees_north");
  units.push_back("degrees_east");
  for (const auto& c : series.columns) {
    names.push_back(printable_utf8(c.name));
    const bool data = options.precision == Precision::kData;
    types.push_back(data && c.digits == drill::Digits::kInteger   ? "int"
                    : data && c.digits == drill::Digits::kFloat32 ? "float"
                                                                  : "double");
    units.push_back(c.units.empty() ? json(nullptr) : json(printable_utf8(c.units)));
  }
  json rows = json::array();
  for (const auto& row : series.rows) {
    json r = {format_iso8601(row.time)};
    if (periods) {
      const auto it = series.periods.find(row.time);
      r.push_back(it != series.periods.end() ? it->second.label : "");
    }
    r.push_back(printable_utf8(row.site));
    r.push_back(coordinate(row.lat));
    r.push_back(coordinate(row.lon));
    for (size_t i = 0; i < series.columns.size() && i < row.values.size(); ++i) {
      r.push_back(json_value(row.values[i], series.columns[i], options.precision));
    }
    rows.push_back(std::move(r));
  }
  json doc = {
      {"table",
       {{"columnNames", names}, {"columnTypes", types}, {"columnUnits", units}, {"rows", rows}}}};
  return doc.dump() + "\n";
}

}  // namespace pixeldrill::output

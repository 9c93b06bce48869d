#include "output/table_writers.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "core/utf8.h"
#include "output/format_number.h"

namespace pixeldrill::output {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string to_csv(const drill::Series& series) {
  // Aggregates carry their ISO 8601 period after the period's start time.
  const bool periods = !series.periods.empty();
  std::string out = periods ? "time,period,site,lat,lon" : "time,site,lat,lon";
  for (const auto& name : series.site_columns) out += "," + csv_field(name);
  for (const auto& c : series.columns) out += "," + csv_field(c.name);
  out += "\n";
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
    for (double v : row.values) {
      out += ",";
      out += format_value(v);
    }
    out += "\n";
  }
  return out;
}

std::string to_json(const drill::Series& series) {
  using nlohmann::json;
  json columns = json::array();
  for (const auto& c : series.columns) {
    columns.push_back({{"name", printable_utf8(c.name)},
                       {"units", printable_utf8(c.units)},
                       {"long_name", printable_utf8(c.long_name)},
                       {"standard_name", printable_utf8(c.standard_name)}});
    const auto method = series.cell_methods.find(c.name);
    if (method != series.cell_methods.end()) columns.back()["cell_methods"] = method->second;
  }
  json rows = json::array();
  for (const auto& row : series.rows) {
    json r = {{"time", format_iso8601(row.time)},
              {"site", printable_utf8(row.site)},
              {"lat", std::stod(format_coordinate(row.lat))},
              {"lon", std::stod(format_coordinate(row.lon))}};
    if (const auto it = series.site_values.find(row.site); it != series.site_values.end()) {
      for (size_t i = 0; i < series.site_columns.size() && i < it->second.size(); ++i) {
        r[printable_utf8(series.site_columns[i])] = printable_utf8(it->second[i]);
      }
    }
    if (const auto it = series.periods.find(row.time); it != series.periods.end()) {
      r["period"] = it->second.label;
      r["time_end"] = format_iso8601(it->second.end);
    }
    for (size_t i = 0; i < series.columns.size(); ++i) {
      const double v = row.values[i];
      r[printable_utf8(series.columns[i].name)] = std::isnan(v) ? json(nullptr) : json(v);
    }
    rows.push_back(std::move(r));
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
  json doc = {{"source", printable_utf8(series.source)},
              {"partial", series.partial()},
              {"problems", problems},
              {"notes", notes},
              {"columns", columns},
              {"rows", rows}};
  return doc.dump(1) + "\n";
}

}  // namespace pixeldrill::output

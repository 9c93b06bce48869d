#include "output/table_writers.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/civil_time.h"
#include "core/utf8.h"

namespace pixeldrill::output {
namespace {
using nlohmann::json;

// A value as a JSON number carrying the same digits as the CSV text
// (integers as integers); null when missing.
json json_value(double v, const drill::Column& column, const ValueFormat& format) {
  char buf[kNumberMax];
  const std::string text(buf, format.write(buf, v));
  if (text.empty()) return nullptr;
  if (column.digits == drill::Digits::kInteger && text.find_first_of(".eE") == std::string::npos &&
      std::isfinite(v)) {
    return static_cast<int64_t>(v);
  }
  return std::isfinite(v) ? json(std::stod(text)) : json(nullptr);
}

double coordinate(double v) { return std::stod(format_coordinate(v)); }

}  // namespace

void append_csv_field(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(const std::string& s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

std::string csv_header(const drill::Series& head, bool periods, const TableOptions& options) {
  // Aggregates carry their ISO 8601 period after the period's start time.
  std::string out = periods ? "time,period,site,lat,lon" : "time,site,lat,lon";
  for (const auto& name : head.site_columns) out += "," + csv_field(name);
  for (const auto& c : head.columns) out += "," + csv_field(c.name);
  out += "\n";
  if (options.units_row) {
    out += periods ? "UTC,,,degrees_north,degrees_east" : "UTC,,degrees_north,degrees_east";
    out += std::string(head.site_columns.size(), ',');
    for (const auto& c : head.columns) out += "," + csv_field(c.units);
    out += "\n";
  }
  return out;
}

void append_csv_rows(std::string& out, const drill::Series& head, const drill::Series& block,
                     bool periods, const TableOptions& options) {
  // A site's "site,lat,lon[,site columns]" text is made once and kept by
  // site: a point's rows share one, and stations' rows cycle through theirs
  // (a 30-year point spent a fifth of the drill's instructions in per-row
  // string appends; 200 stations, ~40% of their CSV time in coordinates).
  struct Place {
    double lat = 0, lon = 0;
    std::string text;
    bool at(const drill::Row& r) const {
      // Bits, not ==: -0.0 and 0.0 print differently.
      return std::bit_cast<uint64_t>(lat) == std::bit_cast<uint64_t>(r.lat) &&
             std::bit_cast<uint64_t>(lon) == std::bit_cast<uint64_t>(r.lon);
    }
  };
  std::unordered_map<std::string, Place> places;
  const drill::Row* last_row = nullptr;
  const Place* last_place = nullptr;
  auto place_of = [&](const drill::Row& row) -> const Place& {
    if (last_row && last_row->site == row.site && last_place->at(row)) return *last_place;
    Place& place = places[row.site];
    if (place.text.empty() || !place.at(row)) {
      std::string& t = place.text;
      t.clear();
      append_csv_field(t, row.site);
      char buf[kNumberMax];
      t += ',';
      t.append(buf, write_coordinate(buf, row.lat));
      t += ',';
      t.append(buf, write_coordinate(buf, row.lon));
      if (!head.site_columns.empty()) {
        const auto it = head.site_values.find(row.site);
        for (size_t i = 0; i < head.site_columns.size(); ++i) {
          t += ',';
          if (it != head.site_values.end() && i < it->second.size()) {
            append_csv_field(t, it->second[i]);
          }
        }
      }
      place.lat = row.lat;
      place.lon = row.lon;
    }
    last_row = &row;
    last_place = &place;
    return place;
  };
  Iso8601Writer time_text;
  const std::vector<ValueFormat> formats = value_formats(head, options);
  // Rows are written straight into `out`, grown by half its size when a row
  // might not fit and cut to the written size at the end: growing it by the
  // most a row could take zero-filled that room every row, and a row built
  // aside cost a copy per row (a served 10-year point: a fifth of the
  // server's CPU in memset and memmove).
  size_t used = out.size();
  for (const auto& row : block.rows) {
    const std::string& place = place_of(row).text;
    const std::string* label = nullptr;
    if (periods) {
      const auto it = block.periods.find(row.time);
      if (it != block.periods.end()) label = &it->second.label;
    }
    const size_t room = kIso8601Max + 2 + (label ? label->size() + 1 : 0) + place.size() +
                        (row.values.size() + 1) * (kNumberMax + 1);
    if (out.size() - used < room) out.resize(std::max(used + room, out.size() + out.size() / 2));
    char* const start = out.data() + used;
    char* p = start;
    p = time_text.write(p, row.time);
    *p++ = ',';
    if (periods) {
      if (label) p = std::copy(label->begin(), label->end(), p);
      *p++ = ',';
    }
    p = std::copy(place.begin(), place.end(), p);
    for (size_t i = 0; i < row.values.size(); ++i) {
      *p++ = ',';
      p = i < formats.size() ? formats[i].write(p, row.values[i]) : write_value(p, row.values[i]);
    }
    *p++ = '\n';
    const auto length = static_cast<size_t>(p - start);
    used += length;
    // After the first row: its length, with room to spare, for every row.
    if (&row == &block.rows.front()) {
      const size_t guess = used + block.rows.size() * (length + 8);
      if (out.size() < guess) out.resize(guess);
    }
  }
  out.resize(used);
}

std::string to_csv(const drill::Series& series, const TableOptions& options) {
  const bool periods = !series.periods.empty();
  std::string out = csv_header(series, periods, options);
  append_csv_rows(out, series, series, periods, options);
  return out;
}

json json_columns(const drill::Series& head) {
  json columns = json::array();
  for (const auto& c : head.columns) {
    json column = {{"name", printable_utf8(c.name)},
                   {"units", printable_utf8(c.units)},
                   {"long_name", printable_utf8(c.long_name)},
                   {"standard_name", printable_utf8(c.standard_name)}};
    const auto method = head.cell_methods.find(c.name);
    if (method != head.cell_methods.end()) column["cell_methods"] = method->second;
    columns.push_back(std::move(column));
  }
  return columns;
}

std::vector<ValueFormat> value_formats(const drill::Series& head, const TableOptions& options) {
  std::vector<ValueFormat> formats;
  formats.reserve(head.columns.size());
  for (const auto& column : head.columns) formats.emplace_back(column, options.precision);
  return formats;
}

json json_row(const drill::Row& row, const drill::Series& head,
              const std::map<int64_t, drill::Period>& periods,
              const std::vector<ValueFormat>& formats) {
  json r = {{"time", format_iso8601(row.time)},
            {"site", printable_utf8(row.site)},
            {"lat", coordinate(row.lat)},
            {"lon", coordinate(row.lon)}};
  if (const auto it = head.site_values.find(row.site); it != head.site_values.end()) {
    for (size_t i = 0; i < head.site_columns.size() && i < it->second.size(); ++i) {
      r[printable_utf8(head.site_columns[i])] = printable_utf8(it->second[i]);
    }
  }
  if (const auto it = periods.find(row.time); it != periods.end()) {
    r["period"] = it->second.label;
    r["time_end"] = format_iso8601(it->second.end);
  }
  for (size_t i = 0; i < head.columns.size() && i < row.values.size(); ++i) {
    r[printable_utf8(head.columns[i].name)] =
        json_value(row.values[i], head.columns[i], formats.at(i));
  }
  return r;
}

json json_document(const drill::Series& summary, bool periods,
                   const std::vector<bool>& column_has_null, const TableOptions& options) {
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
  for (size_t i = 0; i < summary.columns.size(); ++i) {
    const auto& c = summary.columns[i];
    const bool has_null = i < column_has_null.size() && column_has_null[i];
    const bool integer =
        c.digits == drill::Digits::kInteger && !has_null && options.precision == Precision::kData;
    json field = {{"name", printable_utf8(c.name)},
                  {"type", integer ? "integer" : "number"},
                  {"units", printable_utf8(c.units)},
                  {"long_name", printable_utf8(c.long_name)},
                  {"standard_name", printable_utf8(c.standard_name)}};
    const auto method = summary.cell_methods.find(c.name);
    if (method != summary.cell_methods.end()) field["cell_methods"] = method->second;
    fields.push_back(std::move(field));
  }
  json problems = json::array();
  for (const auto& p : summary.problems) {
    // A file name that is not UTF-8 is shown with \xNN escapes rather than
    // aborting the whole JSON document.
    problems.push_back({{"path", printable_utf8(p.path)},
                        {"variable", printable_utf8(p.variable)},
                        {"reason", printable_utf8(p.reason)},
                        {"message", printable_utf8(p.message())}});
  }
  json notes = json::array();
  for (const auto& n : summary.notes) notes.push_back(printable_utf8(n));
  return {{"schema", {{"fields", fields}, {"pandas_version", "1.4.0"}}},
          {"source", printable_utf8(summary.source)},
          {"partial", summary.partial()},
          {"problems", problems},
          {"notes", notes},
          {"columns", json_columns(summary)},
          {"data", json::array()}};
}

void note_nulls(std::vector<bool>& has_null, const std::vector<drill::Row>& rows) {
  for (const auto& row : rows) {
    for (size_t i = 0; i < has_null.size() && i < row.values.size(); ++i) {
      if (std::isnan(row.values[i])) has_null[i] = true;
    }
  }
}

std::string to_json(const drill::Series& series, const TableOptions& options) {
  std::vector<bool> has_null(series.columns.size(), false);
  note_nulls(has_null, series.rows);
  json doc = json_document(series, !series.periods.empty(), has_null, options);
  json& data = doc["data"];
  const std::vector<ValueFormat> formats = value_formats(series, options);
  for (const auto& row : series.rows) {
    data.push_back(json_row(row, series, series.periods, formats));
  }
  return doc.dump(1) + "\n";
}

json erddap_document(const drill::Series& head, bool periods, const TableOptions& options) {
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
  for (const auto& c : head.columns) {
    names.push_back(printable_utf8(c.name));
    const bool data = options.precision == Precision::kData;
    types.push_back(data && c.digits == drill::Digits::kInteger   ? "int"
                    : data && c.digits == drill::Digits::kFloat32 ? "float"
                                                                  : "double");
    units.push_back(c.units.empty() ? json(nullptr) : json(printable_utf8(c.units)));
  }
  return {{"table",
           {{"columnNames", names},
            {"columnTypes", types},
            {"columnUnits", units},
            {"rows", json::array()}}}};
}

json erddap_row(const drill::Row& row, const drill::Series& head,
                const std::map<int64_t, drill::Period>& periods, bool with_period,
                const std::vector<ValueFormat>& formats) {
  json r = {format_iso8601(row.time)};
  if (with_period) {
    const auto it = periods.find(row.time);
    r.push_back(it != periods.end() ? it->second.label : "");
  }
  r.push_back(printable_utf8(row.site));
  r.push_back(coordinate(row.lat));
  r.push_back(coordinate(row.lon));
  for (size_t i = 0; i < head.columns.size() && i < row.values.size(); ++i) {
    r.push_back(json_value(row.values[i], head.columns[i], formats.at(i)));
  }
  return r;
}

std::string to_erddap_json(const drill::Series& series, const TableOptions& options) {
  const bool periods = !series.periods.empty();
  json doc = erddap_document(series, periods, options);
  json& rows = doc["table"]["rows"];
  const std::vector<ValueFormat> formats = value_formats(series, options);
  for (const auto& row : series.rows) {
    rows.push_back(erddap_row(row, series, series.periods, periods, formats));
  }
  return doc.dump() + "\n";
}

}  // namespace pixeldrill::output

#include "server/griddap_formats.h"

#include <netcdf.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/civil_time.h"
#include "core/error.h"
#include "output/format_number.h"
#include "server/served_types.h"

namespace pixeldrill::server {
namespace {

// A data value as ERDDAP writes it: NaN when missing, a "float" column's
// value as its float32 text (300.27066, not the widened 300.2706604003906:
// output::write_coordinate's rule, which also keeps values beyond float's
// range as doubles).
constexpr size_t kCellMax = output::kNumberMax;
char* write_cell(char* out, double v, bool float32) {
  if (std::isnan(v)) {
    std::memcpy(out, "NaN", 3);
    return out + 3;
  }
  return float32 ? output::write_coordinate(out, v) : output::write_value(out, v);
}

std::vector<bool> float_columns(const GriddapTable& t) {
  std::vector<bool> float32;
  for (size_t v = 0; v < t.nvars; ++v) float32.push_back(t.columns.at(3 + v).type == "float");
  return float32;
}

std::string csv_quote(const std::string& s, char sep) {
  if (s.find_first_of(std::string(1, sep) + "\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Cells of one row as text (time as ISO 8601, coordinates at their stored
// precision, values by write_cell), for the formats that are not delimited.
template <typename F>
void for_each_row(const GriddapTable& t, F&& emit) {
  std::vector<std::string> cells;
  if (t.axis_only) {
    for (size_t i = 0; i < t.rows(); ++i) {
      cells.clear();
      if (t.axis_name == t.columns[0].name)
        cells.push_back(format_iso8601(t.times[i]));
      else if (t.axis_name == t.columns[1].name)
        cells.push_back(output::format_coordinate(t.lats[i]));
      else
        cells.push_back(output::format_coordinate(t.lons[i]));
      emit(cells);
    }
    return;
  }
  const std::vector<bool> float32 = float_columns(t);
  char cell[kCellMax];
  for (size_t ti = 0; ti < t.times.size(); ++ti) {
    const std::string time = format_iso8601(t.times[ti]);
    for (size_t y = 0; y < t.lats.size(); ++y) {
      const std::string lat = output::format_coordinate(t.lats[y]);
      for (size_t x = 0; x < t.lons.size(); ++x) {
        cells.assign({time, lat, output::format_coordinate(t.lons[x])});
        for (size_t v = 0; v < t.nvars; ++v) {
          cells.emplace_back(cell, write_cell(cell, t.value(ti, y, x, v), float32[v]));
        }
        emit(cells);
      }
    }
  }
}

std::vector<GriddapColumn> shown_columns(const GriddapTable& t) {
  if (!t.axis_only) return t.columns;
  for (const auto& c : t.columns) {
    if (c.name == t.axis_name) return {c};
  }
  return {};
}

// The rows of a grid written straight into `out`, with the same texts as
// for_each_row: a 10-year point is 3,557 rows, and a string per cell made
// griddap's .csv half as fast as the JSON API's (docs/serve.md).
void append_grid_rows(std::string& out, const GriddapTable& t, char sep) {
  const std::vector<bool> float32 = float_columns(t);
  std::vector<std::string> lons;
  size_t widest_lon = 0;
  for (const double lon : t.lons) {
    lons.push_back(output::format_coordinate(lon));
    widest_lon = std::max(widest_lon, lons.back().size());
  }
  // `out` is grown by half its size when a row might not fit and cut to
  // what was written at the end (as output::append_csv_rows does).
  size_t used = out.size();
  Iso8601Writer time_writer;
  char time[kIso8601Max];
  for (size_t ti = 0; ti < t.times.size(); ++ti) {
    const size_t time_size = static_cast<size_t>(time_writer.write(time, t.times[ti]) - time);
    for (size_t y = 0; y < t.lats.size(); ++y) {
      const std::string lat = output::format_coordinate(t.lats[y]);
      const size_t row_max = time_size + lat.size() + widest_lon + t.nvars * (kCellMax + 1) + 3;
      for (size_t x = 0; x < t.lons.size(); ++x) {
        if (out.size() - used < row_max) out.resize(std::max(used + row_max, out.size() * 3 / 2));
        char* p = out.data() + used;
        p = std::copy_n(time, time_size, p);
        *p++ = sep;
        p = std::copy(lat.begin(), lat.end(), p);
        *p++ = sep;
        p = std::copy(lons[x].begin(), lons[x].end(), p);
        for (size_t v = 0; v < t.nvars; ++v) {
          *p++ = sep;
          p = write_cell(p, t.value(ti, y, x, v), float32[v]);
        }
        *p++ = '\n';
        used = static_cast<size_t>(p - out.data());
      }
    }
  }
  out.resize(used);
}

std::string delimited(const GriddapTable& t, char sep, int header) {
  // header: 0 none (csv0), 1 names + units rows (csv), 2 "name (units)" (csvp)
  const auto cols = shown_columns(t);
  std::string out;
  if (header == 1) {
    for (size_t i = 0; i < cols.size(); ++i)
      out += (i ? std::string(1, sep) : "") + csv_quote(cols[i].name, sep);
    out += "\n";
    for (size_t i = 0; i < cols.size(); ++i)
      out += (i ? std::string(1, sep) : "") + csv_quote(cols[i].units, sep);
    out += "\n";
  } else if (header == 2) {
    for (size_t i = 0; i < cols.size(); ++i) {
      const std::string label =
          cols[i].units.empty() ? cols[i].name : cols[i].name + " (" + cols[i].units + ")";
      out += (i ? std::string(1, sep) : "") + csv_quote(label, sep);
    }
    out += "\n";
  }
  if (!t.axis_only) {
    append_grid_rows(out, t, sep);
    return out;
  }
  for_each_row(t, [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += sep;
      out += cells[i];
    }
    out += "\n";
  });
  return out;
}

std::string json_table(const GriddapTable& t) {
  const auto cols = shown_columns(t);
  std::vector<std::string> names, types, units;
  for (const auto& c : cols) {
    names.push_back(c.name);
    types.push_back(c.type);
    units.push_back(c.units);
  }
  nlohmann::json rows = nlohmann::json::array();
  for_each_row(t, [&](const std::vector<std::string>& cells) {
    nlohmann::json row = nlohmann::json::array();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (types[i] == "String")
        row.push_back(cells[i]);
      else if (cells[i] == "NaN")
        row.push_back(nullptr);
      else if (is_integer_type(types[i]))
        row.push_back(std::stoll(cells[i]));  // ERDDAP writes 3, not 3.0
      else
        row.push_back(std::stod(cells[i]));
    }
    rows.push_back(std::move(row));
  });
  return erddap_table_json(names, types, units, rows).dump() + "\n";
}

std::string html_table(const GriddapTable& t) {
  const auto cols = shown_columns(t);
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>griddap</title></head>\n"
      "<body>\n<table class=\"erd commonBGColor nowrap\">\n<tr>\n";
  for (const auto& c : cols) out += "<th>" + html_escape(c.name) + "\n";
  out += "</tr>\n<tr>\n";
  for (const auto& c : cols) out += "<th>" + html_escape(c.units) + "\n";
  out += "</tr>\n";
  for_each_row(t, [&](const std::vector<std::string>& cells) {
    out += "<tr>\n";
    for (const auto& c : cells) out += "<td>" + html_escape(c == "NaN" ? "" : c) + "\n";
    out += "</tr>\n";
  });
  return out + "</table>\n</body>\n</html>\n";
}

void nc_check(int status, const std::string& what) {
  if (status != NC_NOERR)
    throw Error(ErrorKind::kInternal, "writing .nc (" + what + "): " + nc_strerror(status));
}

// A gridded CF NetCDF-4 file as ERDDAP's griddap .nc: time, lat, lon axes and
// one double variable per data variable with _FillValue NaN.
std::string netcdf_grid(const GriddapTable& t) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "pixeldrill-griddap-XXXXXX").string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw Error(ErrorKind::kIo, "cannot create a temporary .nc file in " + tmpl);
  ::close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::filesystem::remove(p); }
  } remove{tmpl};
  int nc = -1;
  nc_check(nc_create(tmpl.c_str(), NC_CLOBBER | NC_NETCDF4, &nc), "create");
  struct Close {
    int& id;
    ~Close() {
      if (id >= 0) nc_close(id);
    }
  } close_guard{nc};
  int dims[3], ids[3];
  const size_t sizes[3] = {t.times.size(), t.lats.size(), t.lons.size()};
  for (int i = 0; i < 3; ++i) {
    nc_check(nc_def_dim(nc, t.columns[i].name.c_str(), sizes[i], &dims[i]), "dim");
    nc_check(nc_def_var(nc, t.columns[i].name.c_str(), NC_DOUBLE, 1, &dims[i], &ids[i]), "axis");
  }
  const std::string time_units = "seconds since 1970-01-01T00:00:00Z";
  nc_put_att_text(nc, ids[0], "units", time_units.size(), time_units.c_str());
  nc_put_att_text(nc, ids[0], "standard_name", 4, "time");
  nc_put_att_text(nc, ids[0], "axis", 1, "T");
  for (int i = 1; i < 3; ++i) {
    nc_put_att_text(nc, ids[i], "units", t.columns[i].units.size(), t.columns[i].units.c_str());
  }
  nc_put_att_text(nc, ids[1], "axis", 1, "Y");
  nc_put_att_text(nc, ids[2], "axis", 1, "X");
  std::vector<int> vids(t.nvars);
  const double fill = std::nan("");
  for (size_t v = 0; v < t.nvars; ++v) {
    const auto& c = t.columns[3 + v];
    nc_check(nc_def_var(nc, c.name.c_str(), NC_DOUBLE, 3, dims, &vids[v]), "variable " + c.name);
    nc_check(nc_def_var_fill(nc, vids[v], 0, &fill), "fill");
    if (!c.units.empty()) nc_put_att_text(nc, vids[v], "units", c.units.size(), c.units.c_str());
  }
  const char* conventions = "CF-1.8";
  nc_put_att_text(nc, NC_GLOBAL, "Conventions", 6, conventions);
  nc_check(nc_enddef(nc), "enddef");
  std::vector<double> times(t.times.begin(), t.times.end());
  if (!times.empty()) nc_check(nc_put_var_double(nc, ids[0], times.data()), "time");
  if (!t.lats.empty()) nc_check(nc_put_var_double(nc, ids[1], t.lats.data()), "lat");
  if (!t.lons.empty()) nc_check(nc_put_var_double(nc, ids[2], t.lons.data()), "lon");
  std::vector<double> plane(t.times.size() * t.lats.size() * t.lons.size());
  for (size_t v = 0; v < t.nvars; ++v) {
    for (size_t i = 0; i < plane.size(); ++i) plane[i] = t.values[i * t.nvars + v];
    if (!plane.empty()) nc_check(nc_put_var_double(nc, vids[v], plane.data()), "values");
  }
  nc_check(nc_close(nc), "close");
  nc = -1;
  std::ifstream in(tmpl, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The DAP type of an attribute value as stored (JSON keeps only integer or not).
std::string json_dap_type(const nlohmann::json& v) {
  if (v.is_string()) return "String";
  if (v.is_number_integer()) return "Int32";
  return "Float64";
}

std::string dap_value(const nlohmann::json& v, const std::string& type) {
  if (v.is_string()) {
    // A DAS string is one line: quotes, backslashes and line breaks escaped as ERDDAP does.
    std::string out = "\"";
    for (char c : v.get<std::string>()) {
      if (c == '"' || c == '\\')
        out += std::string("\\") + c;
      else if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    return out + "\"";
  }
  if (!v.is_number()) return "NaN";  // a NaN _FillValue is null in JSON
  const double x = v.get<double>();
  if (std::isnan(x)) return "NaN";
  if (type == "Byte" || type == "Int16" || type == "Int32") {
    return std::to_string(static_cast<long long>(std::llround(x)));
  }
  if (type == "Float32") return output::format_value(static_cast<double>(static_cast<float>(x)));
  if (v.is_number_float()) return output::format_value(x);
  return v.dump();
}

// `value_type`: the DAP type of the variable's values, which attributes
// holding such values (valid_min, flag_values, ...) take; empty for none.
void das_attributes(std::string& out, const std::string& name, const nlohmann::json& attrs,
                    const std::string& value_type = "") {
  out += "  " + name + " {\n";
  if (attrs.is_object()) {
    for (const auto& [key, value] : attrs.items()) {
      if (value.is_object() || (value.is_array() && value.empty())) continue;
      const nlohmann::json& first = value.is_array() ? value[0] : value;
      if (first.is_null() && key != "_FillValue") continue;
      const std::string type =
          !first.is_string() && !value_type.empty() && is_data_valued_attribute(key)
              ? value_type
              : json_dap_type(first);
      out += "    " + type + " " + key + " ";
      if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i)
          out += (i ? ", " : "") + dap_value(value[i], type);
      } else {
        out += dap_value(value, type);
      }
      out += ";\n";
    }
  }
  out += "  }\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool is_griddap_table_type(const std::string& ext) {
  for (const char* e : {"csv", "csvp", "csv0", "tsv", "tsvp", "tsv0", "json", "htmlTable", "nc"}) {
    if (ext == e) return true;
  }
  return false;
}

bool render_griddap(const GriddapTable& table, const std::string& ext, Body* out) {
  if (ext == "csv")
    *out = {"text/csv; charset=UTF-8", delimited(table, ',', 1)};
  else if (ext == "csvp")
    *out = {"text/csv; charset=UTF-8", delimited(table, ',', 2)};
  else if (ext == "csv0")
    *out = {"text/csv; charset=UTF-8", delimited(table, ',', 0)};
  else if (ext == "tsv")
    *out = {"text/tab-separated-values; charset=UTF-8", delimited(table, '\t', 1)};
  else if (ext == "tsvp")
    *out = {"text/tab-separated-values; charset=UTF-8", delimited(table, '\t', 2)};
  else if (ext == "tsv0")
    *out = {"text/tab-separated-values; charset=UTF-8", delimited(table, '\t', 0)};
  else if (ext == "json")
    *out = {"application/json; charset=UTF-8", json_table(table)};
  else if (ext == "htmlTable")
    *out = {"text/html; charset=UTF-8", html_table(table)};
  else if (ext == "nc" && !table.axis_only)
    *out = {"application/x-netcdf", netcdf_grid(table)};
  else
    return false;
  return true;
}

std::string render_das(const drill::DatasetInfo& info, const std::string& title) {
  std::string out = "Attributes {\n";
  nlohmann::json time_range = nlohmann::json::array();
  if (!info.times.empty()) {
    time_range = {static_cast<double>(info.times.front()), static_cast<double>(info.times.back())};
  }
  das_attributes(out, info.time_name,
                 {{"_CoordinateAxisType", "Time"},
                  {"actual_range", time_range},
                  {"axis", "T"},
                  {"ioos_category", "Time"},
                  {"standard_name", "time"},
                  {"time_origin", "01-JAN-1970 00:00:00"},
                  {"units", "seconds since 1970-01-01T00:00:00Z"}},
                 "Float64");
  for (const catalog::Axis* a : {&info.grid.lat, &info.grid.lon}) {
    const bool lat = a == &info.grid.lat;
    das_attributes(out, a->name,
                   {{"_CoordinateAxisType", lat ? "Lat" : "Lon"},
                    {"actual_range", {a->min(), a->max()}},
                    {"axis", lat ? "Y" : "X"},
                    {"standard_name", lat ? "latitude" : "longitude"},
                    {"units", a->units}},
                   a->float32 ? "Float32" : "Float64");
  }
  for (const auto& v : info.variables) {
    das_attributes(out, v.name, served_attributes(v), dap_type(erddap_type(v)));
  }
  nlohmann::json globals =
      info.global_attributes.is_object() ? info.global_attributes : nlohmann::json::object();
  if (!title.empty()) globals["title"] = title;
  das_attributes(out, "NC_GLOBAL", globals);
  return out + "}\n";
}

std::string render_dds(const drill::DatasetInfo& info, const std::string& id) {
  const std::string t =
      info.time_name + "[" + info.time_name + " = " + std::to_string(info.times.size()) + "]";
  const std::string y = info.grid.lat.name + "[" + info.grid.lat.name + " = " +
                        std::to_string(info.grid.lat.size()) + "]";
  const std::string x = info.grid.lon.name + "[" + info.grid.lon.name + " = " +
                        std::to_string(info.grid.lon.size()) + "]";
  const std::string ylat = info.grid.lat.float32 ? "Float32 " : "Float64 ";
  const std::string xlon = info.grid.lon.float32 ? "Float32 " : "Float64 ";
  std::string out = "Dataset {\n  Float64 " + t + ";\n  " + ylat + y + ";\n  " + xlon + x + ";\n";
  for (const auto& v : info.variables) {
    out += "  GRID {\n    ARRAY:\n      " + dap_type(erddap_type(v)) + " " + v.name + "[" +
           info.time_name + " = " + std::to_string(info.times.size()) + "][" + info.grid.lat.name +
           " = " + std::to_string(info.grid.lat.size()) + "][" + info.grid.lon.name + " = " +
           std::to_string(info.grid.lon.size()) + "];\n    MAPS:\n      Float64 " + t +
           ";\n      " + ylat + y + ";\n      " + xlon + x + ";\n  } " + v.name + ";\n";
  }
  return out + "} " + id + ";\n";
}

nlohmann::json erddap_table_json(const std::vector<std::string>& names,
                                 const std::vector<std::string>& types,
                                 const std::vector<std::string>& units,
                                 const nlohmann::json& rows) {
  nlohmann::json table = {{"columnNames", names}, {"columnTypes", types}};
  if (!units.empty()) table["columnUnits"] = units;
  table["rows"] = rows;
  return {{"table", table}};
}

std::string table_json_to_csv(const nlohmann::json& doc) {
  const auto& t = doc.at("table");
  std::string out;
  const auto& names = t.at("columnNames");
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? "," : "") + csv_quote(names[i].get<std::string>(), ',');
  out += "\n";
  for (const auto& row : t.at("rows")) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += ",";
      if (row[i].is_string())
        out += csv_quote(row[i].get<std::string>(), ',');
      else if (!row[i].is_null())
        out += row[i].dump();
    }
    out += "\n";
  }
  return out;
}

nlohmann::json info_table(const drill::DatasetInfo& info, const nlohmann::json& global_overrides) {
  nlohmann::json rows = nlohmann::json::array();
  auto attribute_rows = [&](const std::string& var, const nlohmann::json& attrs) {
    if (!attrs.is_object()) return;
    for (const auto& [key, value] : attrs.items()) {
      std::string type = "String", text;
      if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
          text += (i ? ", " : "") +
                  (value[i].is_string() ? value[i].get<std::string>() : value[i].dump());
        }
        if (!value.empty() && !value[0].is_string())
          type = value[0].is_number_integer() ? "int" : "double";
      } else if (value.is_string()) {
        text = value.get<std::string>();
      } else if (value.is_number()) {
        type = value.is_number_integer() ? "int" : "double";
        text = value.is_number_float() ? output::format_value(value.get<double>()) : value.dump();
      } else {
        continue;
      }
      rows.push_back({"attribute", var, key, type, text});
    }
  };
  nlohmann::json globals =
      info.global_attributes.is_object() ? info.global_attributes : nlohmann::json::object();
  for (const auto& [k, v] : global_overrides.items()) globals[k] = v;
  attribute_rows("NC_GLOBAL", globals);
  const std::string spacing =
      info.times.size() > 1 ? "averageSpacing=" +
                                  std::to_string((info.times.back() - info.times.front()) /
                                                 static_cast<int64_t>(info.times.size() - 1)) +
                                  "s"
                            : "";
  rows.push_back(
      {"dimension", info.time_name, "", "double",
       "nValues=" + std::to_string(info.times.size()) + (spacing.empty() ? "" : ", " + spacing)});
  attribute_rows(
      info.time_name,
      {{"axis", "T"}, {"standard_name", "time"}, {"units", "seconds since 1970-01-01T00:00:00Z"}});
  for (const catalog::Axis* a : {&info.grid.lat, &info.grid.lon}) {
    const bool lat = a == &info.grid.lat;
    rows.push_back({"dimension", a->name, "", a->float32 ? "float" : "double",
                    "nValues=" + std::to_string(a->size()) + ", evenlySpaced=true"});
    attribute_rows(a->name, {{"axis", lat ? "Y" : "X"},
                             {"standard_name", lat ? "latitude" : "longitude"},
                             {"units", a->units},
                             {"actual_range", {a->min(), a->max()}}});
  }
  for (const auto& v : info.variables) {
    rows.push_back({"variable", v.name, "", formats::storage_name(v.type),
                    info.time_name + ", " + info.grid.lat.name + ", " + info.grid.lon.name});
    attribute_rows(v.name, v.attributes);
  }
  return erddap_table_json({"Row Type", "Variable Name", "Attribute Name", "Data Type", "Value"},
                           {"String", "String", "String", "String", "String"}, {}, rows);
}

}  // namespace pixeldrill::server

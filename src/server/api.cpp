// The JSON API beyond griddap: /api/v1/datasets and
// /api/v1/datasets/ID/drill with the CLI's query model and parsers.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis/analysis_request.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/query_text.h"
#include "output/box_cube.h"
#include "output/cube_netcdf.h"
#include "output/heatwave_table.h"
#include "output/netcdf_writer.h"
#include "output/table_writers.h"
#include "server/griddap_query.h"
#include "server/map_image.h"
#include "server/service.h"

namespace pixeldrill::server {
namespace {

std::map<std::string, std::string> parse_params(const std::string& query) {
  std::map<std::string, std::string> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string item = query.substr(start, end - start);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      std::string key = item.substr(0, eq),
                  value = eq == std::string::npos ? "" : item.substr(eq + 1);
      for (char& c : value) c = c == '+' ? ' ' : c;
      params[percent_decode(key)] = percent_decode(value);
    }
    start = end + 1;
  }
  return params;
}

// A temporary file for the readers and writers that take a path (station
// CSV, netCDF-C); its name never comes from the request.
struct TempFile {
  std::string path;
  explicit TempFile(const char* suffix) {
    path =
        (std::filesystem::temp_directory_path() / ("pixeldrill-api-XXXXXX" + std::string(suffix)))
            .string();
    const int fd = ::mkstemps(path.data(), static_cast<int>(std::strlen(suffix)));
    if (fd < 0) throw Error(ErrorKind::kIo, "cannot create a temporary file in " + path);
    ::close(fd);
  }
  ~TempFile() { std::filesystem::remove(path); }
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// HTTP parameters -> the library's QueryText -> drill::parse_query, the
// parser and messages the CLI uses.
drill::Query query_from_params(const std::map<std::string, std::string>& p,
                               const std::string& body) {
  static const std::set<std::string> known = {
      "point",     "box",   "bbox",        "reduce",   "var",    "vars",
      "from",      "to",    "min_quality", "celsius",  "format", "nearest_valid",
      "aggregate", "stats", "climatology", "clim_var", "mhw",    "gapfill"};
  for (const auto& [k, v] : p) {
    if (!known.count(k)) throw BadRequest("unknown parameter '" + k + "'");
  }
  auto get = [&](const char* k) {
    auto it = p.find(k);
    return it == p.end() ? std::string() : it->second;
  };
  drill::QueryText text;
  text.point = get("point");
  text.box = get("box");
  text.bbox = get("bbox");
  text.nearest_valid = get("nearest_valid");
  if (!get("reduce").empty()) text.reduce = get("reduce");
  // `vars` as on the command line; `var` kept.
  text.vars = get("vars").empty() ? get("var") : get("vars");
  text.from = get("from");
  text.to = get("to");
  if (!get("min_quality").empty()) {
    try {
      size_t used = 0;
      text.min_quality = std::stoi(get("min_quality"), &used);
      if (used != get("min_quality").size() || text.min_quality < 0 || text.min_quality > 127) {
        throw std::out_of_range("");
      }
    } catch (const std::exception&) {
      throw BadRequest("min_quality '" + get("min_quality") + "' must be an integer 0..127");
    }
  }
  const std::string c = get("celsius");
  if (!c.empty() && c != "true" && c != "false" && c != "1" && c != "0") {
    throw BadRequest("celsius must be true or false");
  }
  text.celsius = c == "true" || c == "1";
  if (body.empty()) return drill::parse_query(text);
  TempFile file(".csv");
  std::ofstream(file.path, std::ios::binary) << body;
  text.stations = file.path;
  try {
    return drill::parse_query(text);
  } catch (const Error& e) {
    std::string m = e.what();
    const size_t at = m.find(file.path);
    if (at != std::string::npos) m.replace(at, file.path.size(), "(POST body)");
    throw Error(e.kind(), m);
  }
}

bool flag(const std::map<std::string, std::string>& p, const char* name) {
  const auto it = p.find(name);
  if (it == p.end()) return false;
  const std::string& v = it->second;
  if (v != "true" && v != "false" && v != "1" && v != "0" && !v.empty()) {
    throw BadRequest(std::string(name) + " must be true or false");
  }
  return v == "true" || v == "1" || v.empty();
}

// The analysis parameters: the CLI's options without their dashes, parsed
// by the same library code (analysis/analysis_request.h).
analysis::AnalysisRequest analysis_from_params(const std::map<std::string, std::string>& p,
                                               const drill::Query& q) {
  analysis::AnalysisText t;
  auto get = [&](const char* k, std::string* out) {
    if (const auto it = p.find(k); it != p.end()) *out = it->second;
  };
  get("aggregate", &t.aggregate);
  get("stats", &t.stats);
  get("climatology", &t.climatology);
  get("clim_var", &t.clim_var);
  t.mhw = flag(p, "mhw");
  if (const auto it = p.find("gapfill"); it != p.end()) {
    try {
      size_t used = 0;
      t.gapfill = std::stoi(it->second, &used);
      if (used != it->second.size() || t.gapfill < 0 || t.gapfill > 366) {
        throw std::out_of_range("");
      }
    } catch (const std::exception&) {
      throw BadRequest("gapfill '" + it->second + "' must be an integer 0..366 (days)");
    }
  }
  return analysis::parse_analysis(t, q);
}

nlohmann::json dataset_summary(const ServedDataset& d) {
  const auto info = d.dataset->info();
  nlohmann::json vars = nlohmann::json::array();
  for (const auto& v : info->variables) {
    vars.push_back(
        {{"name", v.name}, {"units", v.column.units}, {"long_name", v.column.long_name}});
  }
  nlohmann::json j = {{"id", d.config.id},           {"title", d.config.title},
                      {"summary", d.config.summary}, {"license", d.config.license},
                      {"kind", info->kind},          {"variables", vars}};
  if (!info->grid.lat.values.empty()) {
    j["extent"] = {{"south", info->grid.lat.min()},     {"north", info->grid.lat.max()},
                   {"west", info->grid.lon.min()},      {"east", info->grid.lon.max()},
                   {"lat_size", info->grid.lat.size()}, {"lon_size", info->grid.lon.size()}};
  }
  if (!info->times.empty()) {
    j["time"] = {{"first", format_iso8601(info->times.front())},
                 {"last", format_iso8601(info->times.back())},
                 {"count", info->times.size()}};
  }
  return j;
}

}  // namespace

HttpResponse Service::api(const HttpRequest& request, const std::string& path,
                          const std::string& query) const {
  if (path == "/api/v1/datasets") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : datasets_) list.push_back(dataset_summary(d));
    return {200, "application/json; charset=UTF-8", list.dump() + "\n", {}};
  }
  const std::string prefix = "/api/v1/datasets/";
  if (path.rfind(prefix, 0) != 0) throw Error(ErrorKind::kNotFound, "no API endpoint " + path);
  const std::string rest = path.substr(prefix.size());
  const size_t slash = rest.find('/');
  const std::string id = rest.substr(0, slash);
  const ServedDataset* d = find(id);
  if (!d) throw Error(ErrorKind::kNotFound, "unknown dataset '" + id + "'");
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (action.empty())
    return {200, "application/json; charset=UTF-8", dataset_summary(*d).dump() + "\n", {}};
  if (action == "map.png") return map_png(*d);
  if (action != "drill") throw Error(ErrorKind::kNotFound, "no API endpoint " + path);
  if (request.method != "GET" && request.method != "POST")
    throw BadRequest("use GET or POST for drill");
  const auto params = parse_params(query);
  const std::string format = params.count("format") ? params.at("format") : "csv";
  if (format != "csv" && format != "json" && format != "netcdf") {
    throw BadRequest("format '" + format + "' must be csv, json or netcdf");
  }
  drill::Query q;
  try {
    q = query_from_params(params, request.method == "POST" ? request.body : "");
  } catch (const Error& e) {
    // The shared parsers (point, box, dates, stations) name the parameter;
    // whatever kind they give, a request that does not parse is a bad request.
    throw BadRequest(e.what());
  }
  analysis::AnalysisRequest analysis;
  try {
    analysis = analysis_from_params(params, q);
  } catch (const Error& e) {
    throw BadRequest(e.what());
  }
  if (analysis.mhw && format == "netcdf") throw BadRequest("mhw writes csv or json");
  if (q.box && q.reduce == drill::Reduce::kNone && format == "netcdf" && !analysis.any()) {
    return cube(*d, q);
  }
  const auto started = std::chrono::steady_clock::now();
  drill::Query timed = analysis::analysis_drill_query(analysis, q);
  timed.deadline = started + std::chrono::milliseconds(config_.deadline_ms);
  timed.threads = 1;  // the server's concurrent requests are its parallelism
  drill::Series series = d->dataset->drill(timed);
  drill::name_single_site(series, q);
  drill::check_deadline(*timed.deadline);
  std::string units;  // of the climatology's variable, for the heatwave table
  if (analysis.anomalies) {
    for (const auto& c : series.columns) {
      if (c.name == analysis.anomalies->variable) units = c.units;
    }
  }
  const size_t skipped = series.problems.size();
  if (analysis.any()) {
    analysis::AnalysisOutput out = analysis::run_analysis(analysis, std::move(series));
    if (analysis.mhw) {
      HttpResponse r =
          format == "json"
              ? HttpResponse{200,
                             "application/json; charset=UTF-8",
                             output::heatwaves_to_json(out.heatwaves, units),
                             {}}
              : HttpResponse{
                    200,
                    "text/csv; charset=UTF-8",
                    output::heatwaves_to_csv(out.heatwaves),
                    {{"Content-Disposition", "attachment; filename=\"" + id + "-heatwaves.csv\""}}};
      if (skipped) r.headers.emplace_back("X-Pixeldrill-Skipped", std::to_string(skipped));
      return r;
    }
    series = std::move(out.series);
  }
  size_t values = series.rows.size() * (series.columns.size() + 3);
  if (values > config_.max_values) {
    throw Error(ErrorKind::kTooLarge, "the answer holds " + std::to_string(values) +
                                          " values; this server returns at most " +
                                          std::to_string(config_.max_values) +
                                          " per request: split the time range or the box");
  }
  HttpResponse r;
  if (format == "netcdf") {
    TempFile file(".nc");
    output::write_netcdf(series, file.path);
    r = {200,
         "application/x-netcdf",
         read_all(file.path),
         {{"Content-Disposition", "attachment; filename=\"" + id + ".nc\""}}};
  } else if (format == "json") {
    r = {200, "application/json; charset=UTF-8", output::to_json(series), {}};
  } else {
    r = {200,
         "text/csv; charset=UTF-8",
         output::to_csv(series),
         {{"Content-Disposition", "attachment; filename=\"" + id + ".csv\""}}};
  }
  if (series.partial())
    r.headers.emplace_back("X-Pixeldrill-Skipped", std::to_string(series.problems.size()));
  return r;
}

HttpResponse Service::cube(const ServedDataset& d, const drill::Query& q) const {
  const output::CubeLayout layout = output::plan_cube(*d.dataset, q);
  output::check_cube_size(layout, config_.max_cube_bytes);  // 413 with the estimate
  TempFile file(".nc");
  const drill::Series summary = output::write_cube_netcdf(*d.dataset, q, layout, file.path);
  HttpResponse r{200,
                 "application/x-netcdf",
                 read_all(file.path),
                 {{"Content-Disposition", "attachment; filename=\"" + d.config.id + ".nc\""},
                  {"X-Pixeldrill-Cube", layout.describe()}}};
  if (summary.partial())
    r.headers.emplace_back("X-Pixeldrill-Skipped", std::to_string(summary.problems.size()));
  return r;
}

HttpResponse Service::map_png(const ServedDataset& d) const {
  const auto info = d.dataset->info();
  const std::string etag = dataset_etag(*info);
  {
    std::lock_guard lock(map_mutex_);
    auto it = map_cache_.find(d.config.id);
    if (it != map_cache_.end() && it->second.first == etag) {
      return {200, "image/png", it->second.second, {{"ETag", etag}}};
    }
  }
  // Rendered outside the lock: two first requests may both render, which is
  // harmless, and other datasets are not held up.
  std::string png = render_mean_map(*d.dataset, *info);
  std::lock_guard lock(map_mutex_);
  map_cache_[d.config.id] = {etag, png};
  return {200, "image/png", std::move(png), {{"ETag", etag}}};
}

}  // namespace pixeldrill::server

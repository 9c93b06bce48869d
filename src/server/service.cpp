#include "server/service.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/error.h"
#include "server/griddap_form.h"
#include "server/griddap_formats.h"
#include "server/griddap_query.h"
#include "server/griddap_table.h"
#include "server/web_assets.h"

namespace pixeldrill::server {
namespace {

const char* status_text(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string http_date(int64_t unix_seconds) {
  const time_t t = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string dataset_etag(const drill::DatasetInfo& info) {
  std::string basis = info.source + "|" + info.kind + "|" + info.version;
  if (info.version.empty()) {
    basis += "|" + std::to_string(info.times.size()) + "|" +
             (info.times.empty() ? "" : std::to_string(info.times.back())) + "|" +
             std::to_string(info.modified);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(fnv1a(basis)));
  return buf;
}

HttpResponse erddap_error(int status, const std::string& message) {
  std::string text = message;
  const std::string prefix = std::string(status_text(status)) + ": ";
  if (!starts_with(text, prefix) && !starts_with(text, "Resource not found") &&
      !starts_with(text, "Payload Too Large") && !starts_with(text, "Timeout")) {
    text = prefix + text;
  }
  std::string escaped;
  for (char c : text) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
  return {
      status,
      "text/plain; charset=UTF-8",
      "Error {\n    code=" + std::to_string(status) + ";\n    message=\"" + escaped + "\";\n}\n",
      {}};
}

int http_status_for(const std::exception& error) {
  const auto* e = dynamic_cast<const Error*>(&error);
  if (!e) return 500;
  switch (e->kind()) {
    case ErrorKind::kBadRequest:
      return 400;
    case ErrorKind::kNotFound:
    case ErrorKind::kNoSuchVariable:
      return 404;
    case ErrorKind::kTooLarge:
      return 413;
    case ErrorKind::kSourceChanged:
      return 409;
    case ErrorKind::kIo:
      return starts_with(e->what(), "Timeout") ? 503 : 500;
    default:
      return 500;
  }
}

Service::Service(ServerConfig config, std::vector<ServedDataset> datasets)
    : config_(std::move(config)), datasets_(std::move(datasets)) {
  web_files_ = load_web_assets(config_.web_dir);
}

const ServedDataset* Service::find(const std::string& id) const {
  for (const auto& d : datasets_) {
    if (d.config.id == id) return &d;
  }
  return nullptr;
}

std::string_view Service::dataset_of(const std::string& target) const {
  std::string path;
  try {
    path = percent_decode(target.substr(0, target.find('?')));
  } catch (const std::exception&) {
    return {};  // handle() answers it with a 400
  }
  std::string id;
  for (const auto& [prefix, end] :
       {std::pair{"/erddap/griddap/", '.'}, {"/erddap/info/", '/'}, {"/api/v1/datasets/", '/'}}) {
    if (starts_with(path, prefix)) {
      const std::string rest = path.substr(std::strlen(prefix));
      id = rest.substr(0, rest.find(end));
      break;
    }
  }
  const ServedDataset* d = id.empty() ? nullptr : find(id);
  return d ? std::string_view(d->config.id) : std::string_view();
}

int Service::refresh_all() {
  int changed = 0;
  for (auto& d : datasets_) {
    try {
      changed += d.dataset->refresh() ? 1 : 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pixeldrill serve: refresh of %s failed (keeping the old state): %s\n",
                   d.config.id.c_str(), e.what());
    }
  }
  return changed;
}

HttpResponse Service::handle(const HttpRequest& request) const {
  const size_t q = request.target.find('?');
  const std::string raw_path = request.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  HttpResponse response;
  try {
    const std::string path = percent_decode(raw_path);
    response = route(request, path, query);
  } catch (const std::exception& e) {
    const int status = http_status_for(e);
    if (starts_with(raw_path, "/api/")) {
      response = {
          status,
          "application/json; charset=UTF-8",
          nlohmann::json{{"error", {{"status", status}, {"message", e.what()}}}}.dump() + "\n",
          {}};
    } else {
      response = erddap_error(status, e.what());
    }
  }
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return response;
}

HttpResponse Service::route(const HttpRequest& request, const std::string& path,
                            const std::string& query) const {
  if (request.method == "OPTIONS") {
    return {204,
            "text/plain",
            "",
            {{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
             {"Access-Control-Allow-Headers", "Content-Type, If-None-Match"}}};
  }
  if (starts_with(path, "/api/")) return api(request, path, query);
  if (request.method != "GET" && request.method != "HEAD") {
    return erddap_error(405, "Method Not Allowed: " + request.method + " " + path);
  }
  if (path == "/erddap/griddap/index.json" || path == "/erddap/griddap/index.csv" ||
      path == "/erddap/info/index.json" || path == "/erddap/info/index.csv") {
    return griddap_index(path.substr(path.rfind('.') + 1));
  }
  if (starts_with(path, "/erddap/griddap/")) {
    const std::string name = path.substr(16);
    const size_t dot = name.find('.');
    const std::string id = name.substr(0, dot);
    const ServedDataset* d = find(id);
    if (!d)
      throw Error(ErrorKind::kNotFound, "Resource not found: Currently unknown datasetID=" + id);
    return griddap(*d, dot == std::string::npos ? "html" : name.substr(dot + 1), query, request);
  }
  if (starts_with(path, "/erddap/info/")) {
    const std::string rest = path.substr(13);
    const size_t slash = rest.find('/');
    const ServedDataset* d = find(rest.substr(0, slash));
    if (!d) {
      throw Error(ErrorKind::kNotFound,
                  "Resource not found: Currently unknown datasetID=" + rest.substr(0, slash));
    }
    const std::string file = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (file != "index.json" && file != "index.csv") {
      throw Error(ErrorKind::kNotFound, "Resource not found: " + path);
    }
    return info(*d, file.substr(6));
  }
  return web(path);
}

HttpResponse Service::griddap_index(const std::string& ext) const {
  nlohmann::json rows = nlohmann::json::array();
  const std::string base = "/erddap";
  for (const auto& d : datasets_) {
    rows.push_back({base + "/griddap/" + d.config.id, base + "/griddap/" + d.config.id + ".html",
                    "", "", "", "", d.config.title, d.config.summary, "", "",
                    base + "/info/" + d.config.id + "/index.json", "", "", "", "", d.config.id});
  }
  std::vector<std::string> names = {"griddap", "Subset",    "tabledap",    "Make A Graph",
                                    "wms",     "files",     "Title",       "Summary",
                                    "FGDC",    "ISO 19115", "Info",        "Background Info",
                                    "RSS",     "Email",     "Institution", "Dataset ID"};
  const auto table =
      erddap_table_json(names, std::vector<std::string>(names.size(), "String"), {}, rows);
  if (ext == "csv") return {200, "text/csv; charset=UTF-8", table_json_to_csv(table), {}};
  return {200, "application/json; charset=UTF-8", table.dump() + "\n", {}};
}

HttpResponse Service::info(const ServedDataset& d, const std::string& ext) const {
  const auto snapshot = d.dataset->info();
  nlohmann::json overrides = nlohmann::json::object();
  if (!d.config.title.empty()) overrides["title"] = d.config.title;
  if (!d.config.summary.empty()) overrides["summary"] = d.config.summary;
  if (!d.config.license.empty()) overrides["license"] = d.config.license;
  const auto table = info_table(*snapshot, overrides);
  if (ext == "csv") return {200, "text/csv; charset=UTF-8", table_json_to_csv(table), {}};
  return {200, "application/json; charset=UTF-8", table.dump() + "\n", {}};
}

HttpResponse Service::griddap(const ServedDataset& d, const std::string& ext,
                              const std::string& query, const HttpRequest& request) const {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.deadline_ms);
  const auto snapshot = d.dataset->info();
  if (snapshot->grid.lat.values.empty() || snapshot->times.empty()) {
    throw Error(ErrorKind::kInternal,
                "dataset " + d.config.id + " does not describe its grid and times yet");
  }
  const std::string etag = dataset_etag(*snapshot);
  std::vector<std::pair<std::string, std::string>> validators = {{"ETag", etag}};
  if (snapshot->modified > 0)
    validators.emplace_back("Last-Modified", http_date(snapshot->modified));
  if (request.header && request.header("If-None-Match") == etag) return {304, "", "", validators};
  HttpResponse response;
  if (ext == "das") {
    response = {200, "text/plain; charset=UTF-8", render_das(*snapshot, d.config.title), {}};
  } else if (ext == "dds") {
    response = {200, "text/plain; charset=UTF-8", render_dds(*snapshot, d.config.id), {}};
  } else if (ext == "html") {
    response = {200, "text/html; charset=UTF-8", render_griddap_form(*snapshot, d.config), {}};
  } else if (is_griddap_table_type(ext)) {
    const GriddapRequest parsed = parse_griddap_query(query);
    const ResolvedGriddap resolved = resolve_griddap(parsed, *snapshot);
    const GriddapTable table =
        fetch_griddap(*d.dataset, *snapshot, resolved, config_.max_values, deadline);
    Body body;
    if (!render_griddap(table, ext, &body)) {
      throw BadRequest("Query error: fileType=." + ext + " is not available for this request.");
    }
    response = {200, body.content_type, std::move(body.text), {}};
    if (!table.problems.empty()) {
      response.headers.emplace_back("X-Pixeldrill-Skipped", std::to_string(table.problems.size()));
    }
    if (ext == "nc") {
      response.headers.emplace_back("Content-Disposition",
                                    "attachment; filename=\"" + d.config.id + ".nc\"");
    }
  } else {
    throw BadRequest(
        "Query error: fileType=." + ext +
        " is not supported (use .csv, .csvp, .csv0, .tsv, .json, .nc, .htmlTable, .das, .dds).");
  }
  for (auto& v : validators) response.headers.push_back(v);
  return response;
}

HttpResponse Service::web(const std::string& path) const {
  const std::string name = path == "/" ? "index.html" : path.substr(1);
  const auto it = web_files_.find(name);
  if (it == web_files_.end()) {
    if (path == "/") {
      return {200,
              "text/html; charset=UTF-8",
              "<!DOCTYPE html><title>pixeldrill</title><p>The web page is not built "
              "(run scripts/setup.sh or npm ci &amp;&amp; npm run build in web/). "
              "Data: <a href=\"/erddap/griddap/index.json\">/erddap/griddap/index.json</a></p>\n",
              {}};
    }
    throw Error(ErrorKind::kNotFound, "Resource not found: " + path);
  }
  return {200, content_type_for(name), it->second, {{"Cache-Control", "no-cache"}}};
}

}  // namespace pixeldrill::server

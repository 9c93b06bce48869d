#pragma once
// Everything `pixeldrill serve` answers, independent of the HTTP library:
// a request (method, target, headers, body) in, a response out. The HTTP
// layer (http_server.h) only moves bytes; tests and fuzzers can call
// handle() directly.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "drill/dataset.h"
#include "server/server_config.h"

namespace pixeldrill::server {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // raw path?query as received (still percent-encoded)
  std::string body;
  std::function<std::string(const std::string&)> header;  // "" when absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ServedDataset {
  DatasetConfig config;
  std::shared_ptr<drill::Dataset> dataset;
};

class Service {
 public:
  Service(ServerConfig config, std::vector<ServedDataset> datasets);
  HttpResponse handle(const HttpRequest& request) const;
  // Calls refresh() on every dataset; returns how many changed. Errors are
  // logged and the old state kept.
  int refresh_all();
  const ServerConfig& config() const { return config_; }
  // The id of the served dataset a request target names (/erddap/griddap/ID.EXT,
  // /erddap/info/ID/..., /api/v1/datasets/ID/...), or "" for any other target
  // or an unknown id: the server queues requests by it (FifoWorkers lanes),
  // so one dataset's slow requests do not hold back another's.
  std::string_view dataset_of(const std::string& target) const;

 private:
  const ServedDataset* find(const std::string& id) const;
  HttpResponse route(const HttpRequest& request, const std::string& path,
                     const std::string& query) const;
  HttpResponse griddap(const ServedDataset& d, const std::string& ext, const std::string& query,
                       const HttpRequest& request) const;
  HttpResponse griddap_index(const std::string& ext) const;
  HttpResponse info(const ServedDataset& d, const std::string& ext) const;
  HttpResponse api(const HttpRequest& request, const std::string& path,
                   const std::string& query) const;
  HttpResponse map_png(const ServedDataset& d) const;
  // A box without reduce as a (time, lat, lon) NetCDF cube, refused (413)
  // beyond ServerConfig::max_cube_bytes.
  HttpResponse cube(const ServedDataset& d, const drill::Query& q) const;
  HttpResponse web(const std::string& path) const;

  ServerConfig config_;
  std::vector<ServedDataset> datasets_;
  std::map<std::string, std::string> web_files_;  // loaded once; URLs never reach the filesystem
  mutable std::mutex map_mutex_;
  mutable std::map<std::string, std::pair<std::string, std::string>>
      map_cache_;  // id -> (version, png)
};

// Maps an error to (HTTP status, ERDDAP-style body).
HttpResponse erddap_error(int status, const std::string& message);
int http_status_for(const std::exception& error);
// The dataset's cache validator: ETag from info().version, or from the time
// axis when a backend leaves version empty.
std::string dataset_etag(const drill::DatasetInfo& info);
std::string http_date(int64_t unix_seconds);

}  // namespace pixeldrill::server

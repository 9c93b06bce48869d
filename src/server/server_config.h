#pragma once
// What `pixeldrill serve` serves and how: datasets (id -> SOURCE plus the
// title/summary/license shown to users) and the limits every request obeys.
// Read from TOML or JSON, or built from command-line options.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pixeldrill::server {

struct DatasetConfig {
  std::string id;      // URL name: letters, digits, '_' ('-' and '.' not allowed, as in ERDDAP)
  std::string source;  // folder, glob, index or store, as `pixeldrill drill` takes
  std::string title, summary, license;
};

struct ServerConfig {
  std::string bind = "127.0.0.1";
  int port = 8080;
  std::vector<DatasetConfig> datasets;
  size_t max_values = 20'000'000;  // numbers per response (413 beyond)
  // A box cube's uncompressed size (the estimate `drill --max-size` checks; 413 beyond).
  uint64_t max_cube_bytes = uint64_t{1} << 30;
  int deadline_ms = 30'000;  // per request
  int refresh_seconds = 0;   // periodic refresh; 0: only on SIGHUP
  int threads = 256;         // workers: cpp-httplib holds one per open keep-alive connection
  // Requests answered at once, on that many threads; the others wait in arrival
  // order (server/fifo_workers.h).
  // -1: no limit (default: queued requests wait for the slow ones running ahead of them,
  // even with a queue per dataset, see docs/serve.md "Load"); 0: twice the cores.
  int max_active = -1;
  size_t max_body_bytes = 4 << 20;  // POST bodies (station lists)
  std::string web_dir;              // built front end; empty: found beside the binary
  std::string access_log = "-";     // "-": stderr
};

// Throws Error(kBadRequest) naming the file and key for bad values.
ServerConfig load_server_config(const std::string& path);
// "ID=SOURCE" for --dataset.
DatasetConfig parse_dataset_option(const std::string& text);
// Throws Error(kBadRequest) on a bad or duplicate id.
void validate_config(const ServerConfig& config);

}  // namespace pixeldrill::server

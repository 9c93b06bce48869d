// `pixeldrill serve CONFIG | --dataset ID=SOURCE ...`: ERDDAP griddap, a JSON
// API and the web page over datasets opened once.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "core/error.h"
#include "drill/dataset.h"
#include "server/http_server.h"
#include "server/server_config.h"
#include "server/service.h"
#include "store/converter.h"

namespace pixeldrill::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::vector<std::string> datasets;
  std::string bind;
  int port = -1;
  std::string web_dir;
  int refresh_seconds = -1;
  std::optional<int> max_active;
  std::string max_cube_size;
};

// A served point's answer is a few large blocks (its rows, its CSV text:
// 0.5 MB for ten years). With glibc's defaults the freed top of a worker's
// arena went back to the kernel after a request and the next one faulted
// its pages in again: 8-11 page faults per request, 0.2 with freed memory
// up to 64 MiB per arena kept (docs/serve.md, "Freed memory kept"). Not
// done when the user tunes malloc (GLIBC_TUNABLES glibc.malloc.*).
void keep_freed_memory() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.")) return;
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int run_serve(const ServeOptions& o) {
  keep_freed_memory();
  server::ServerConfig config;
  if (!o.config.empty()) {
    config = server::load_server_config(o.config);
  }
  for (const auto& d : o.datasets) config.datasets.push_back(server::parse_dataset_option(d));
  if (!o.bind.empty()) config.bind = o.bind;
  if (o.port >= 0) config.port = o.port;
  if (!o.web_dir.empty()) config.web_dir = o.web_dir;
  if (o.refresh_seconds >= 0) config.refresh_seconds = o.refresh_seconds;
  if (o.max_active) config.max_active = *o.max_active;
  if (!o.max_cube_size.empty()) {
    config.max_cube_bytes = store::parse_size(o.max_cube_size, "--max-cube-size");
  }
  server::validate_config(config);
  std::vector<server::ServedDataset> served;
  for (const auto& d : config.datasets) {
    std::fprintf(stderr, "pixeldrill serve: opening %s = %s\n", d.id.c_str(), d.source.c_str());
    served.push_back({d, drill::open_dataset(d.source)});
  }
  auto service = std::make_shared<server::Service>(std::move(config), std::move(served));
  return server::serve_forever(service);
}

Command make_serve_command(CLI::App& root) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* app = root.add_subcommand(
      "serve",
      "Serve datasets over HTTP: ERDDAP griddap (/erddap/griddap/ID.csv?...), a JSON API "
      "(/api/v1/...) and a web page with a map and chart (/). SIGHUP picks up new data; "
      "SIGTERM finishes in-flight requests and exits.");
  app->add_option("CONFIG", opts->config,
                  "TOML or JSON file: [[dataset]] id/source/title/summary/license, limits");
  app->add_option("--dataset", opts->datasets, "ID=SOURCE (repeatable; SOURCE as for drill)");
  app->add_option("--bind", opts->bind, "address to listen on (default 127.0.0.1)");
  app->add_option("--port", opts->port, "TCP port (default 8080; 0: any free port)")
      ->check(CLI::Range(0, 65535));
  app->add_option("--web-dir", opts->web_dir,
                  "built web front end (default: web/dist beside the binary)");
  app->add_option("--refresh", opts->refresh_seconds,
                  "look for new data every N seconds (0: only on SIGHUP)")
      ->check(CLI::Range(0, 86400));
  app->add_option(
         "--max-active", opts->max_active,
         "requests answered at once, the rest queued in arrival order per dataset, the datasets "
         "taking turns (default -1: no limit; 0: twice the cores)")
      ->check(CLI::Range(-1, 4096));
  app->add_option("--max-cube-size", opts->max_cube_size,
                  "refuse (HTTP 413) a box cube whose uncompressed size is larger (default 1G)");
  return {app, [opts] { return run_serve(*opts); }};
}

const bool kRegistered = register_command(80, &make_serve_command);

}  // namespace
}  // namespace pixeldrill::cli

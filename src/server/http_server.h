#pragma once
// The HTTP side of `pixeldrill serve` on cpp-httplib (Debian's
// libcpp-httplib-dev, chosen by measurement in docs/serve.md): worker pool,
// request-line/header/body bounds, one access-log line per request, and a
// signal thread (SIGHUP refresh, SIGTERM/SIGINT graceful stop).
#include <memory>
#include <string>

#include "server/service.h"

namespace pixeldrill::server {

class HttpServer {
 public:
  explicit HttpServer(std::shared_ptr<Service> service);
  ~HttpServer();
  // Binds config().bind:config().port (port 0: any free port); returns the port.
  int bind();
  // Serves until stop(); in-flight requests finish before it returns.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the server in the foreground with signals handled on a dedicated
// thread and a periodic refresh when configured. Prints "listening on URL".
int serve_forever(std::shared_ptr<Service> service);

}  // namespace pixeldrill::server

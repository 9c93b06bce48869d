#include "server/http_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "core/civil_time.h"
#include "core/error.h"
#include "server/fifo_workers.h"
#include "server/http_library.h"

namespace pixeldrill::server {
namespace {

// Set when routing starts; a request refused while parsing (414) has none.
thread_local std::optional<std::chrono::steady_clock::time_point> request_start;

class AccessLog {
 public:
  explicit AccessLog(const std::string& target) {
    if (target.empty() || target == "-") {
      file_ = stderr;
    } else if (target != "off") {
      file_ = std::fopen(target.c_str(), "a");
      if (!file_)
        throw Error(ErrorKind::kIo, "access_log " + target + ": cannot open for appending");
      owned_ = true;
    }
  }
  ~AccessLog() {
    if (owned_) std::fclose(file_);
  }
  void write(const httplib::Request& req, const httplib::Response& res) {
    if (!file_) return;
    const double ms = request_start ? std::chrono::duration<double, std::milli>(
                                          std::chrono::steady_clock::now() - *request_start)
                                          .count()
                                    : 0.0;
    request_start.reset();
    const auto now = std::chrono::system_clock::now();
    const int64_t secs =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::lock_guard lock(mutex_);
    std::fprintf(file_, "%s %s \"%s %s\" %d %zu %.1fms\n", format_iso8601(secs).c_str(),
                 req.remote_addr.c_str(), req.method.c_str(), req.target.c_str(), res.status,
                 res.body.size(), ms);
    std::fflush(file_);
  }

 private:
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::mutex mutex_;
};

// Worker threads for --max-active (0: none, every request on its connection's
// thread). More than the connection threads could never be busy at once.
size_t worker_count(int max_active, int connection_threads) {
  if (max_active < 0) return 0;  // no limit
  const size_t wanted = max_active > 0 ? static_cast<size_t>(max_active)
                                       : 2 * std::max(1u, std::thread::hardware_concurrency());
  return std::min(wanted, static_cast<size_t>(std::max(1, connection_threads)));
}

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<Service> service;
  httplib::Server http;
  AccessLog log;
  FifoWorkers workers;
  int listen_socket = -1;
  explicit Impl(std::shared_ptr<Service> s)
      : service(std::move(s)),
        log(service->config().access_log),
        workers(worker_count(service->config().max_active, service->config().threads)) {}
};

HttpServer::HttpServer(std::shared_ptr<Service> service)
    : impl_([&] {
        load_http_library();  // before the first httplib call: Impl's httplib::Server
        return std::make_unique<Impl>(std::move(service));
      }()) {
  auto& http = impl_->http;
  const ServerConfig& config = impl_->service->config();
  const int threads = config.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // Request line and headers are bounded by the library build
  // (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH, CPPHTTPLIB_HEADER_MAX_LENGTH: 8 KiB each).
  http.set_payload_max_length(config.max_body_bytes);
  // Without TCP_NODELAY a small response waits for the client's delayed ACK (~40 ms).
  http.set_tcp_nodelay(true);
  // cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into
  // Debian's library): 64 clients connecting at once overflow it, the kernel drops their
  // SYNs and they retry after 1 s and 3 s. bind() listens again on this socket with a
  // full backlog.
  http.set_socket_options([impl = impl_.get()](socket_t sock) {
    httplib::default_socket_options(sock);
    impl->listen_socket = sock;
  });
  http.set_keep_alive_max_count(10000);
  http.set_keep_alive_timeout(5);
  http.set_read_timeout(10, 0);
  http.set_write_timeout(std::max(1, config.deadline_ms / 1000), 0);
  http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = std::chrono::steady_clock::now();
    // HDF5's per-thread error printing is silenced where files are opened
    // (formats/netcdf/nc_file.cpp), so a store-only server never loads HDF5.
    return httplib::Server::HandlerResponse::Unhandled;
  });
  Service* svc = impl_->service.get();
  FifoWorkers* workers = &impl_->workers;
  auto handler = [svc, workers](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r;
    r.method = req.method;
    r.target = req.target;
    r.body = req.body;
    r.header = [&req](const std::string& key) { return req.get_header_value(key); };
    HttpResponse out;
    workers->run([&] { out = svc->handle(r); }, svc->dataset_of(req.target));
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    if (out.status != 304 && out.status != 204) {
      // Moved in: set_content() takes a const reference and copies the body.
      res.body = std::move(out.body);
      res.set_header("Content-Type", out.content_type);
    }
  };
  http.Get(R"(/.*)", handler);
  http.Post(R"(/.*)", handler);
  http.Options(R"(/.*)", handler);
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    impl_->log.write(req, res);
  });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
  const ServerConfig& c = impl_->service->config();
  int port = c.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(c.bind);
    if (port < 0) throw Error(ErrorKind::kIo, "serve: cannot bind " + c.bind);
  } else if (!impl_->http.bind_to_port(c.bind, port)) {
    throw Error(ErrorKind::kIo, "serve: cannot bind " + c.bind + ":" + std::to_string(port) +
                                    " (in use, or not an address of this machine)");
  }
  if (impl_->listen_socket >= 0 && ::listen(impl_->listen_socket, SOMAXCONN) != 0) {
    throw Error(ErrorKind::kIo, "serve: cannot listen on " + c.bind + ":" + std::to_string(port));
  }
  return port;
}

void HttpServer::run() { impl_->http.listen_after_bind(); }
void HttpServer::stop() { impl_->http.stop(); }

int serve_forever(std::shared_ptr<Service> service) {
  // Signals are taken by one thread with sigwait, so handlers never run
  // inside a request and may take locks.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  HttpServer server(service);
  const int port = server.bind();
  std::printf("pixeldrill serve: listening on http://%s:%d/\n", service->config().bind.c_str(),
              port);
  std::fflush(stdout);

  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;
  std::thread refresher;
  if (service->config().refresh_seconds > 0) {
    refresher = std::thread([&] {
      std::unique_lock lock(mutex);
      while (!wake.wait_for(lock, std::chrono::seconds(service->config().refresh_seconds),
                            [&] { return stopping.load(); })) {
        lock.unlock();
        const int changed = service->refresh_all();
        if (changed) std::fprintf(stderr, "pixeldrill serve: %d dataset(s) updated\n", changed);
        lock.lock();
      }
    });
  }
  std::atomic<bool> signalled{false};
  std::thread signals([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGHUP) {
        const int changed = service->refresh_all();
        std::fprintf(stderr, "pixeldrill serve: SIGHUP: %d dataset(s) updated\n", changed);
        continue;
      }
      signalled = true;
      std::fprintf(stderr, "pixeldrill serve: %s: finishing in-flight requests\n",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
      server.stop();
      return;
    }
  });
  server.run();
  // The listener ended on its own (an error): wake the signal thread.
  if (!signalled) pthread_kill(signals.native_handle(), SIGTERM);
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  if (refresher.joinable()) refresher.join();
  signals.join();
  return kExitOk;
}

}  // namespace pixeldrill::server

#include "io/http_client.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "core/error.h"
#include "io/curl_api.h"
#include "io/remote_options.h"

namespace pixeldrill::io {
namespace {

using Clock = std::chrono::steady_clock;

// Idle connections kept for reuse, process-wide: above any --requests a
// user would set, below the file descriptors a process may hold.
constexpr long kKeptConnections = 256;

// Connections, DNS answers and TLS sessions shared by every transfer of the
// process, so a drill of thousands of ranges opens a handful of connections.
class Share {
 public:
  Share() {
    curl().global_init(CURL_GLOBAL_DEFAULT);
    share_ = curl().share_init();
    curl().share_setopt(share_, CURLSHOPT_LOCKFUNC, &Share::lock);
    curl().share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Share::unlock);
    curl().share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl().share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  // Left to the OS at exit: transfers may still run in detached threads.
  CURLSH* get() const { return share_; }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Share*>(self)->locks_[static_cast<size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Share*>(self)->locks_[static_cast<size_t>(data) % kLocks].unlock();
  }
  static constexpr size_t kLocks = 16;
  CURLSH* share_ = nullptr;
  std::array<std::mutex, kLocks> locks_;
};

Share& share() {
  static Share* s = new Share();
  return *s;
}

struct Transfer {
  size_t index = 0;
  unsigned attempt = 0;
  Clock::time_point ready_at{};
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpResponse response;
  bool overlong = false;
  long line_status = 0;  // from the status line, before the body arrives
  std::array<char, CURL_ERROR_SIZE> error{};
  const HttpRequest* request = nullptr;
  std::string range_header;

  ~Transfer() { release(); }
  void release() {
    if (easy) curl().easy_cleanup(easy), easy = nullptr;
    if (headers) curl().slist_free_all(headers), headers = nullptr;
  }
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  // Never buffer more than a ranged request asked for: a server ignoring the
  // range would otherwise stream the whole object into memory.
  if (t->request->ranged && t->response.received + bytes > t->request->length) {
    t->overlong = true;
    return 0;
  }
  const std::span<std::byte> into = t->request->into;
  if (!into.empty() && (t->line_status == 206 || t->line_status == 200)) {
    if (t->response.received + bytes > into.size()) {
      t->overlong = true;
      return 0;
    }
    std::memcpy(into.data() + t->response.received, data, bytes);
  } else {
    t->response.body.append(data, bytes);
  }
  t->response.received += bytes;
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (redirect, 100 Continue)
    const auto space = line.find(' ');
    t->line_status = space == std::string::npos ? 0 : std::atol(line.c_str() + space + 1);
    return size * n;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string value = line.substr(colon + 1);
  const auto b = value.find_first_not_of(" \t");
  const auto e = value.find_last_not_of(" \t\r\n");
  value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  t->response.headers[name] = value;
  return size * n;
}

void setup(Transfer& t, const RemoteOptions& o) {
  const HttpRequest& r = *t.request;
  t.release();
  t.response = {};
  t.overlong = false;
  t.line_status = 0;
  t.error.fill(0);
  t.easy = curl().easy_init();
  if (!t.easy) throw Error("libcurl: cannot create a transfer for " + redact_url(r.url));
  CURL* e = t.easy;
  curl().easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl().easy_setopt(e, CURLOPT_SHARE, share().get());
  curl().easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl().easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl().easy_setopt(e, CURLOPT_ERRORBUFFER, t.error.data());
  curl().easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  curl().easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl().easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl().easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl().easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.request_timeout * 1000));
  curl().easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min(o.request_timeout, 20.0) * 1000));
  curl().easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl().easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(std::lround(o.stall_seconds))));
  curl().easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl().easy_setopt(e, CURLOPT_USERAGENT, "pixeldrill/0.1");
  if (!o.cacert.empty()) curl().easy_setopt(e, CURLOPT_CAINFO, o.cacert.c_str());
  if (r.aws_sigv4.empty()) curl().easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  if (r.ranged) {
    t.range_header =
        "Range: bytes=" + std::to_string(r.offset) + "-" + std::to_string(r.offset + r.length - 1);
    t.headers = curl().slist_append(t.headers, t.range_header.c_str());
  }
  for (const auto& h : r.headers) t.headers = curl().slist_append(t.headers, h.c_str());
  if (r.method == "HEAD") {
    curl().easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (r.method == "PUT") {
    curl().easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    curl().easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    curl().easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    t.headers = curl().slist_append(t.headers, "Content-Type: application/octet-stream");
    // "Expect:" (no 100-continue round trip) only unsigned: libcurl 7.88's
    // SigV4 signs the empty header it then does not send, so S3 (and moto)
    // refuse the signature. Signed uploads keep libcurl's Expect for bodies
    // over 1 MiB, which S3 answers at once.
    if (r.aws_sigv4.empty()) t.headers = curl().slist_append(t.headers, "Expect:");
  } else if (r.method != "GET") {
    curl().easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (!r.aws_sigv4.empty()) {
    curl().easy_setopt(e, CURLOPT_AWS_SIGV4, r.aws_sigv4.c_str());
    curl().easy_setopt(e, CURLOPT_USERPWD, r.aws_user.c_str());
  }
  curl().easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
}

enum class Verdict { kOk, kRetry, kFail };

struct Outcome {
  Verdict verdict;
  std::string what;  // the last status or fault, for the final message
  ErrorKind kind = ErrorKind::kIo;
};

bool transient(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_LOGIN_DENIED:
    case CURLE_OUT_OF_MEMORY:
      return false;
    default:
      return true;
  }
}

// Content-Range "bytes A-B/T" must be exactly the asked range; asking for
// the head of an object, B may end the object instead (T = B + 1).
bool range_matches(const std::string& value, uint64_t first, uint64_t last, bool head) {
  unsigned long long a = 0, b = 0, total = 0;
  const int n = std::sscanf(value.c_str(), "bytes %llu-%llu/%llu", &a, &b, &total);
  if (n < 2 || a != first) return false;
  return b == last || (head && n == 3 && b < last && b + 1 == total);
}

// Bytes a 206 answer "bytes A-B/T" carries.
uint64_t head_length(const std::string& content_range) {
  unsigned long long a = 0, b = 0;
  if (std::sscanf(content_range.c_str(), "bytes %llu-%llu/", &a, &b) != 2 || b < a) return 0;
  return b - a + 1;
}
uint64_t content_length(const HttpResponse& resp) {
  const std::string v = resp.header("content-length");
  return v.empty() ? resp.received : std::strtoull(v.c_str(), nullptr, 10);
}

Outcome judge(Transfer& t, CURLcode code) {
  const HttpRequest& r = *t.request;
  HttpResponse& resp = t.response;
  curl().easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &resp.status);
  const std::string status = "status " + std::to_string(resp.status);
  if (r.ranged && resp.status == 200 && (t.overlong || r.offset != 0)) {
    return {Verdict::kFail, "status 200: the server ignored the Range header"};
  }
  if (code != CURLE_OK) {
    std::string what = t.overlong
                           ? "a body longer than the range asked for"
                           : std::string(curl().easy_strerror(code)) +
                                 (t.error[0] ? std::string(" (") + t.error.data() + ")" : "");
    if (resp.status) what += " after " + status;
    return {transient(code) ? Verdict::kRetry : Verdict::kFail, what};
  }
  const long s = resp.status;
  if (s == 404 && r.not_found_ok) return {Verdict::kOk, status};
  if (s >= 500 || s == 429 || s == 408) {
    std::string what = status;
    if (resp.body.find("SlowDown") != std::string::npos) what += " (SlowDown)";
    return {Verdict::kRetry, what};
  }
  if (s == 404) return {Verdict::kFail, status + " (not found)", ErrorKind::kNotFound};
  if (s == 401 || s == 403) {
    return {Verdict::kFail,
            status +
                " (access denied: for a public bucket use --no-sign-request, otherwise "
                "set AWS credentials)"};
  }
  if (s == 416) return {Verdict::kFail, status + " (range not satisfiable: object shorter?)"};
  if (s >= 300) return {Verdict::kFail, status};
  if (r.ranged) {
    const uint64_t last = r.offset + r.length - 1;
    if (s == 206 &&
        !range_matches(resp.header("content-range"), r.offset, last, r.head_of_object)) {
      return {Verdict::kRetry, status + " with Content-Range '" + resp.header("content-range") +
                                   "' for bytes " + std::to_string(r.offset) + "-" +
                                   std::to_string(last)};
    }
    if (s != 206 && s != 200) return {Verdict::kFail, status + " to a range request"};
    // The head of a shorter object: all of it, as Content-Range or
    // Content-Length (a server ignoring the range) says.
    const uint64_t expected = !r.head_of_object ? r.length
                              : s == 206        ? head_length(resp.header("content-range"))
                                                : content_length(resp);
    if (resp.received != expected) {
      return {Verdict::kRetry, status + " with a short body (" + std::to_string(resp.received) +
                                   " of " + std::to_string(expected) + " bytes)"};
    }
  }
  return {Verdict::kOk, status};
}

double backoff(const RemoteOptions& o, unsigned attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double cap = std::min(8.0, o.backoff_seconds * std::pow(2.0, attempt));
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) * cap;
}

class Multi {
 public:
  Multi() : multi_(curl().multi_init()) {
    if (!multi_) throw Error("libcurl: cannot create a multi handle");
    // The shared connection cache keeps at most this multi's limit, 4 x its
    // transfers by default: with one transfer per drilling thread that was 4
    // connections for tens of threads, and every request of a year's drill
    // opened a new one (a round trip more each; two more with TLS).
    curl().multi_setopt(multi_, CURLMOPT_MAXCONNECTS, kKeptConnections);
  }
  ~Multi() {
    for (Transfer* t : active_) curl().multi_remove_handle(multi_, t->easy);
    curl().multi_cleanup(multi_);
  }
  Multi(const Multi&) = delete;
  Multi& operator=(const Multi&) = delete;
  void add(Transfer* t) {
    curl().multi_add_handle(multi_, t->easy);
    active_.push_back(t);
  }
  void remove(Transfer* t) {
    curl().multi_remove_handle(multi_, t->easy);
    active_.erase(std::find(active_.begin(), active_.end(), t));
  }
  size_t active() const { return active_.size(); }
  CURLM* get() const { return multi_; }

 private:
  CURLM* multi_;
  std::vector<Transfer*> active_;
};

}  // namespace

HttpCounters& http_counters() {
  static HttpCounters counters;
  return counters;
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      out.erase(scheme + 3, at + 1 - (scheme + 3));
    }
  }
  for (const char* secret : {"X-Amz-Signature=", "X-Amz-Credential=", "X-Amz-Security-Token="}) {
    const auto p = out.find(secret);
    if (p == std::string::npos) continue;
    const auto end = out.find('&', p);
    out.replace(p + std::strlen(secret),
                (end == std::string::npos ? out.size() : end) - p - std::strlen(secret), "...");
  }
  return out;
}

std::vector<HttpResponse> http_perform(std::span<const HttpRequest> requests) {
  const RemoteOptions o = remote_options();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(o.deadline * 1000));
  std::vector<Transfer> transfers(requests.size());
  std::deque<Transfer*> waiting;
  for (size_t i = 0; i < requests.size(); ++i) {
    transfers[i].index = i;
    transfers[i].request = &requests[i];
    transfers[i].ready_at = start;
    waiting.push_back(&transfers[i]);
  }
  std::vector<HttpResponse> out(requests.size());
  size_t done = 0;
  Multi multi;
  const size_t width = std::max(1u, o.requests_or(kDefaultRequests));
  auto fail = [&](const Transfer& t, const Outcome& why) {
    const std::string tries =
        t.attempt ? " after " + std::to_string(t.attempt + 1) + " attempts" : "";
    throw Error(why.kind, redact_url(t.request->url) + ": " + t.request->method + " failed" +
                              tries + ": " + why.what);
  };
  while (done < requests.size()) {
    const auto now = Clock::now();
    // Start every waiting transfer whose backoff has passed, up to the width.
    for (auto it = waiting.begin(); it != waiting.end() && multi.active() < width;) {
      if ((*it)->ready_at > now) {
        ++it;
        continue;
      }
      setup(**it, o);
      multi.add(*it);
      it = waiting.erase(it);
    }
    int running = 0;
    curl().multi_perform(multi.get(), &running);
    int left = 0;
    while (CURLMsg* msg = curl().multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl().easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      const CURLcode code = msg->data.result;
      multi.remove(t);
      const Outcome outcome = judge(*t, code);
      http_counters().requests += 1;
      http_counters().bytes += t->response.received;
      if (t->request->method == "PUT") {
        http_counters().uploads += 1;
        http_counters().bytes_up += t->request->body.size();
      }
      if (outcome.verdict == Verdict::kOk) {
        out[t->index] = std::move(t->response);
        t->release();
        ++done;
        continue;
      }
      if (outcome.verdict == Verdict::kFail || t->attempt >= o.retries) fail(*t, outcome);
      const double delay = backoff(o, t->attempt);
      t->ready_at = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(delay * 1e6));
      if (t->ready_at > deadline) {
        fail(*t, {Verdict::kFail, outcome.what + "; deadline of " +
                                      std::to_string(static_cast<int>(o.deadline)) + " s reached"});
      }
      t->attempt += 1;
      t->release();
      http_counters().retries += 1;
      waiting.push_back(t);
    }
    if (done == requests.size()) break;
    int wait_ms = 100;
    if (!waiting.empty()) {
      auto next = waiting.front()->ready_at;
      for (Transfer* t : waiting) next = std::min(next, t->ready_at);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 100));
    }
    if (multi.active() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    } else {
      curl().multi_poll(multi.get(), nullptr, 0, wait_ms, nullptr);
    }
  }
  return out;
}

HttpResponse http_perform(const HttpRequest& request) {
  return std::move(http_perform(std::span<const HttpRequest>(&request, 1)).front());
}

}  // namespace pixeldrill::io

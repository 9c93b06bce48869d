#pragma once
// HTTP(S) requests on libcurl's multi interface: many transfers in flight,
// connections, DNS and TLS sessions shared (kept alive) across every call and
// thread, retries with exponential backoff and full jitter on 5xx, 429,
// resets, short bodies and stalls. A ranged response is accepted only when its
// status, Content-Range and length are exactly what was asked for.
#include <atomic>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace pixeldrill::io {

struct HttpRequest {
  std::string url;
  std::string method = "GET";   // GET, HEAD, PUT, DELETE
  bool ranged = false;          // ask for bytes [offset, offset + length)
  bool head_of_object = false;  // ranged from 0: a shorter object answers all of itself
  uint64_t offset = 0, length = 0;
  std::string body;                  // PUT payload
  std::vector<std::string> headers;  // "Name: value"
  std::string aws_sigv4;             // "aws:amz:REGION:s3" to sign; empty: unsigned
  std::string aws_user;              // "ACCESS_KEY:SECRET" for the signature (never printed)
  bool not_found_ok = false;         // 404 returns a response instead of throwing
  // A ranged GET's body written straight here (`length` bytes) rather than
  // into HttpResponse::body: a drill's chunk ranges are most of what it
  // receives, and growing then copying a string cost a pass over each.
  // Error answers still go to HttpResponse::body.
  std::span<std::byte> into;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  uint64_t received = 0;                       // body bytes, in `body` or the request's `into`
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// Performs every request (up to remote_options().requests at once) and
// returns the responses in order, or throws Error naming the URL and the last
// status once one request has exhausted its retries or the deadline.
std::vector<HttpResponse> http_perform(std::span<const HttpRequest> requests);
HttpResponse http_perform(const HttpRequest& request);

// Process-wide counters of completed transfers (all attempts) for reports:
// `bytes` received; `uploads` and `bytes_up` count PUT attempts and bodies.
struct HttpCounters {
  std::atomic<uint64_t> requests{0}, bytes{0}, retries{0}, uploads{0}, bytes_up{0};
};
HttpCounters& http_counters();

// "https://host/a b" with any userinfo or query signature removed: what
// messages may show.
std::string redact_url(const std::string& url);

}  // namespace pixeldrill::io

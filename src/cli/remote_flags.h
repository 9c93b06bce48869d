#pragma once
// The options every command reading or writing remote objects takes, in one
// place: they fill io::remote_options(), which already holds what the
// environment (AWS_*, CURL_CA_BUNDLE) says; a flag overrides the environment.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "io/http_client.h"
#include "io/remote_options.h"
#include "parallel/communicator.h"

namespace pixeldrill::cli {

inline void add_remote_flags(CLI::App* app) {
  io::RemoteOptions& o = io::remote_options();
  const std::string group = "Remote sources (s3://, http(s)://, @urls.txt)";
  app->add_flag("--no-sign-request", o.no_sign_request,
                "S3: send anonymous requests (AWS_NO_SIGN_REQUEST=YES)")
      ->group(group);
  app->add_option("--endpoint-url", o.endpoint_url,
                  "S3: endpoint to use instead of AWS, path-style (AWS_ENDPOINT_URL)")
      ->group(group);
  app->add_option("--cacert", o.cacert, "HTTPS: CA bundle to trust (CURL_CA_BUNDLE)")
      ->check(CLI::ExistingFile)
      ->group(group);
  app->add_option("--requests", o.requests,
                  "Requests in flight (default 16; 64 for a drill through an index)")
      ->check(CLI::Range(1u, 1024u))
      ->group(group);
  app->add_option("--retries", o.retries, "Retries of a failed request (default 6)")->group(group);
  app->add_option("--deadline", o.deadline, "Seconds one read may take with its retries")
      ->check(CLI::PositiveNumber)
      ->group(group);
}

// Remote traffic so far, of the whole job: under mpirun every rank sends its
// counts to rank 0 (collective: every rank calls it; others get zeros).
struct RemoteTraffic {
  unsigned long long requests = 0, retries = 0, bytes = 0, uploads = 0, bytes_up = 0;

  RemoteTraffic& operator+=(const RemoteTraffic& o) {
    requests += o.requests, retries += o.retries, bytes += o.bytes;
    uploads += o.uploads, bytes_up += o.bytes_up;
    return *this;
  }
  RemoteTraffic operator-(const RemoteTraffic& o) const {
    return {requests - o.requests, retries - o.retries, bytes - o.bytes, uploads - o.uploads,
            bytes_up - o.bytes_up};
  }
};
inline RemoteTraffic local_remote_traffic() {
  const auto& c = io::http_counters();
  return {c.requests.load(), c.retries.load(), c.bytes.load(), c.uploads.load(), c.bytes_up.load()};
}
inline RemoteTraffic job_remote_traffic(parallel::Communicator& comm) {
  const RemoteTraffic m = local_remote_traffic();
  const std::string mine = std::to_string(m.requests) + " " + std::to_string(m.retries) + " " +
                           std::to_string(m.bytes) + " " + std::to_string(m.uploads) + " " +
                           std::to_string(m.bytes_up);
  RemoteTraffic sum;
  for (const auto& share : comm.gather(mine, 0)) {
    RemoteTraffic t;
    if (std::sscanf(share.c_str(), "%llu %llu %llu %llu %llu", &t.requests, &t.retries, &t.bytes,
                    &t.uploads, &t.bytes_up) != 5) {
      continue;
    }
    sum += t;
  }
  return sum;
}

// "123 requests (0 retried), 4.5 MB[; 7 of them PUTs uploading 1.2 MB]", or "" when there was none.
inline std::string describe(const RemoteTraffic& t) {
  if (t.requests == 0) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%llu requests (%llu retried), %.2f MB", t.requests, t.retries,
                static_cast<double>(t.bytes) / 1e6);
  std::string out = buf;
  if (t.uploads > 0) {
    std::snprintf(buf, sizeof buf, "; %llu of them PUTs uploading %.2f MB", t.uploads,
                  static_cast<double>(t.bytes_up) / 1e6);
    out += buf;
  }
  return out;
}

}  // namespace pixeldrill::cli

#pragma once
// The options every command reading or writing remote objects takes, in one
// place: they fill io::remote_options(), which already holds what the
// environment (AWS_*, CURL_CA_BUNDLE) says; a flag overrides the environment.
#include <CLI/CLI.hpp>

#include "io/http_client.h"
#include "io/remote_options.h"

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
  app->add_option("--requests", o.requests, "Requests in flight (default 16)")
      ->check(CLI::Range(1u, 1024u))
      ->group(group);
  app->add_option("--retries", o.retries, "Retries of a failed request (default 6)")->group(group);
  app->add_option("--deadline", o.deadline, "Seconds one read may take with its retries")
      ->check(CLI::PositiveNumber)
      ->group(group);
}

// "123 requests, 4.5 MB" of remote traffic so far, or "" when there was none.
inline std::string remote_traffic() {
  const auto& c = io::http_counters();
  if (c.requests == 0) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf, "%llu requests (%llu retried), %.2f MB",
                static_cast<unsigned long long>(c.requests.load()),
                static_cast<unsigned long long>(c.retries.load()), c.bytes.load() / 1e6);
  std::string out = buf;
  if (c.uploads > 0) {
    std::snprintf(buf, sizeof buf, "; %llu of them PUTs uploading %.2f MB",
                  static_cast<unsigned long long>(c.uploads.load()), c.bytes_up.load() / 1e6);
    out += buf;
  }
  return out;
}

}  // namespace pixeldrill::cli

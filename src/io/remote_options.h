#pragma once
// How pixeldrill reaches remote objects (HTTP(S), S3): one process-wide set of
// options, filled once from the command line and the environment the AWS CLI
// users know, read by every remote byte source and listing.
#include <string>

namespace pixeldrill::io {

struct RemoteOptions {
  bool no_sign_request = false;  // --no-sign-request / AWS_NO_SIGN_REQUEST=YES
  std::string endpoint_url;      // --endpoint-url / AWS_ENDPOINT_URL: S3 path-style endpoint
  std::string cacert;            // --cacert / CURL_CA_BUNDLE: extra CA bundle for TLS
  std::string region;            // AWS_REGION / AWS_DEFAULT_REGION / profile; us-east-1
  std::string profile;           // AWS_PROFILE; "default"
  unsigned requests = 0;         // requests in flight (--requests); 0: requests_or()'s default
  unsigned retries = 6;          // attempts after the first one
  double backoff_seconds = 0.2;  // first retry delay; doubles, with full jitter, capped at 8 s
  double request_timeout = 60;   // seconds one request may take
  double stall_seconds = 15;     // a transfer receiving nothing for this long is a stall
  double deadline = 600;         // seconds one read (all its retries) may take

  // --requests when given, else the default measured for that path
  // (docs/remote.md): kDefaultRequests, or more where each request in flight
  // costs little memory.
  unsigned requests_or(unsigned path_default) const { return requests ? requests : path_default; }
};

inline constexpr unsigned kDefaultRequests = 16;

// The options every remote read uses; the environment is read on first use.
RemoteOptions& remote_options();

}  // namespace pixeldrill::io

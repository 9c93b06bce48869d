#include "io/remote_options.h"

#include <cstdlib>
#include <string>

namespace pixeldrill::io {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

double env_seconds(const char* name, double fallback) {
  const std::string v = env(name);
  if (v.empty()) return fallback;
  try {
    return std::stod(v);
  } catch (...) {
    return fallback;
  }
}

RemoteOptions from_environment() {
  RemoteOptions o;
  const std::string nosign = env("AWS_NO_SIGN_REQUEST");
  o.no_sign_request = nosign == "YES" || nosign == "yes" || nosign == "true" || nosign == "1";
  o.endpoint_url = env("AWS_ENDPOINT_URL_S3");
  if (o.endpoint_url.empty()) o.endpoint_url = env("AWS_ENDPOINT_URL");
  o.cacert = env("CURL_CA_BUNDLE");
  o.region = env("AWS_REGION");
  if (o.region.empty()) o.region = env("AWS_DEFAULT_REGION");
  o.profile = env("AWS_PROFILE");
  // Knobs for tests and slow links; the CLI options override them.
  o.retries = static_cast<unsigned>(env_seconds("PIXELDRILL_RETRIES", o.retries));
  o.backoff_seconds = env_seconds("PIXELDRILL_BACKOFF", o.backoff_seconds);
  o.request_timeout = env_seconds("PIXELDRILL_REQUEST_TIMEOUT", o.request_timeout);
  o.stall_seconds = env_seconds("PIXELDRILL_STALL", o.stall_seconds);
  o.deadline = env_seconds("PIXELDRILL_DEADLINE", o.deadline);
  return o;
}

}  // namespace

RemoteOptions& remote_options() {
  static RemoteOptions options = from_environment();
  return options;
}

}  // namespace pixeldrill::io

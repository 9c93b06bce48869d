#include "io/s3.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "core/error.h"
#include "io/remote_options.h"
#include "io/xml_scan.h"

namespace pixeldrill::io {
namespace {

struct Credentials {
  std::string access_key, secret_key, session_token;
  bool present() const { return !access_key.empty() && !secret_key.empty(); }
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// One section of an AWS INI file (~/.aws/credentials or ~/.aws/config).
std::map<std::string, std::string> ini_section(const std::string& path,
                                               const std::string& section) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line, current;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = trim(line.substr(1, line.size() - 2));
      continue;
    }
    const auto eq = line.find('=');
    if (current == section && eq != std::string::npos) {
      out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
  }
  return out;
}

std::string aws_dir() {
  const std::string home = env("HOME");
  return home.empty() ? ".aws" : home + "/.aws";
}

std::string profile_name() {
  const std::string p = remote_options().profile;
  return p.empty() ? "default" : p;
}

Credentials file_credentials() {
  std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) file = aws_dir() + "/credentials";
  auto section = ini_section(file, profile_name());
  return {section["aws_access_key_id"], section["aws_secret_access_key"],
          section["aws_session_token"]};
}

std::string resolve_region() {
  std::string file = env("AWS_CONFIG_FILE");
  if (file.empty()) file = aws_dir() + "/config";
  const std::string profile = profile_name();
  auto section = ini_section(file, profile == "default" ? profile : "profile " + profile);
  return section["region"].empty() ? "us-east-1" : section["region"];
}

// The environment wins (read each time, as tests and long runs may change
// it); the shared files are read once.
Credentials credentials() {
  Credentials c{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")};
  if (c.present()) return c;
  static std::once_flag once;
  static Credentials from_file;
  std::call_once(once, [] { from_file = file_credentials(); });
  return from_file;
}

std::string region() {
  if (!remote_options().region.empty()) return remote_options().region;
  static std::once_flag once;
  static std::string r;
  std::call_once(once, [] { r = resolve_region(); });
  return r;
}

}  // namespace

std::string aws_uri_encode(const std::string& text, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool parse_s3_uri(const std::string& uri, S3Location* out) {
  if (uri.rfind("s3://", 0) != 0) return false;
  const std::string rest = uri.substr(5);
  const auto slash = rest.find('/');
  out->bucket = rest.substr(0, slash);
  out->key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  return !out->bucket.empty();
}

S3Location s3_location(const std::string& uri) {
  S3Location where;
  if (!parse_s3_uri(uri, &where)) throw BadRequest(uri + ": not an s3://BUCKET/KEY address");
  return where;
}

HttpRequest s3_request(const S3Location& where, const std::string& method,
                       const std::string& query) {
  const RemoteOptions& o = remote_options();
  HttpRequest r;
  r.method = method;
  std::string endpoint = o.endpoint_url;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string key = aws_uri_encode(where.key, true);
  if (!endpoint.empty()) {
    r.url = endpoint + "/" + where.bucket + "/" + key;  // path-style
  } else {
    r.url = "https://" + where.bucket + ".s3." + region() + ".amazonaws.com/" + key;
  }
  if (!query.empty()) r.url += "?" + query;
  const Credentials c = credentials();
  if (!o.no_sign_request && c.present()) {
    r.aws_sigv4 = "aws:amz:" + region() + ":s3";
    r.aws_user = c.access_key + ":" + c.secret_key;
    r.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!c.session_token.empty()) r.headers.push_back("x-amz-security-token: " + c.session_token);
  }
  return r;
}

std::vector<S3Object> s3_list(const std::string& bucket, const std::string& prefix,
                              unsigned page_size) {
  std::vector<S3Object> out;
  std::string token;
  for (;;) {
    // Canonical order: names sorted, values AWS-encoded except '/': libcurl
    // 7.88's SigV4 signs "%2F" as if it were "/" (checked against moto's
    // signature verification in tests/io/remote_io_test.cpp).
    std::string query;
    if (!token.empty()) query += "continuation-token=" + aws_uri_encode(token, true) + "&";
    query += "list-type=2&max-keys=" + std::to_string(page_size);
    if (!prefix.empty()) query += "&prefix=" + aws_uri_encode(prefix, true);
    const HttpResponse resp = http_perform(s3_request({bucket, ""}, "GET", query));
    for (const std::string& item : xml::elements(resp.body, "Contents")) {
      S3Object obj;
      const auto key = xml::elements(item, "Key");
      const auto size = xml::elements(item, "Size");
      if (key.empty() || size.empty()) {
        throw Error("s3://" + bucket + "/" + prefix + ": listing entry without Key or Size");
      }
      obj.key = key.front();
      obj.size = std::stoull(size.front());
      if (auto e = xml::elements(item, "ETag"); !e.empty()) obj.etag = e.front();
      if (auto m = xml::elements(item, "LastModified"); !m.empty()) obj.last_modified = m.front();
      out.push_back(std::move(obj));
    }
    const auto truncated = xml::elements(resp.body, "IsTruncated");
    const auto next = xml::elements(resp.body, "NextContinuationToken");
    if (truncated.empty() || truncated.front() != "true") break;
    if (next.empty() || next.front().empty()) {
      throw Error("s3://" + bucket + "/" + prefix +
                  ": listing is truncated but has no continuation token");
    }
    token = next.front();
  }
  return out;
}

void s3_put(const S3Location& where, const std::string& body,
            const std::vector<std::string>& headers) {
  HttpRequest r = s3_request(where, "PUT");
  for (const auto& h : headers) r.headers.push_back(h);
  r.body = body;
  http_perform(r);
}

void s3_delete(const S3Location& where) {
  HttpRequest r = s3_request(where, "DELETE");
  r.not_found_ok = true;
  http_perform(r);
}

}  // namespace pixeldrill::io

#include "io/registry.h"

#include <curl/curl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/error.h"
#include "io/http_client.h"
#include "io/remote_source.h"
#include "io/s3.h"
#include "io/uri.h"
#include "io/xml_scan.h"

namespace pixeldrill::io {
namespace {

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// ---- local files
ObjectInfo stat_local(const std::string& uri) {
  const std::string path = local_path(uri);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error(errno == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
                path + ": cannot stat: " + std::strerror(errno));
  }
  return {uri, static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec, ""};
}

// ---- HTTP(S)
RequestMaker http_maker(const std::string& url) {
  return [url](const std::string& method) {
    HttpRequest r;
    r.url = url;
    r.method = method;
    return r;
  };
}

// HEADs in one batch, many in flight.
std::vector<ObjectInfo> stat_urls(const std::vector<std::string>& urls) {
  std::vector<HttpRequest> heads;
  for (const auto& u : urls) heads.push_back(http_maker(u)("HEAD"));
  const auto responses = http_perform(heads);
  std::vector<ObjectInfo> out;
  for (size_t i = 0; i < urls.size(); ++i) {
    ObjectInfo info;
    info.uri = urls[i];
    version_from_headers(responses[i], &info);
    const std::string length = responses[i].header("content-length");
    if (length.empty()) throw Error(urls[i] + ": the server gives no Content-Length");
    info.size = std::stoull(length);
    out.push_back(std::move(info));
  }
  return out;
}

// "http://h/a/b/catalog.xml" + "../c.xml" or "/x" -> absolute URL.
std::string resolve_url(const std::string& base, const std::string& ref) {
  if (ref.find("://") != std::string::npos) return ref;
  const auto scheme = base.find("://");
  const auto root_end = base.find('/', scheme + 3);
  const std::string root = base.substr(0, root_end);
  if (!ref.empty() && ref[0] == '/') return root + ref;
  std::string dir = base.substr(0, base.rfind('/') + 1);
  std::string rel = ref;
  while (rel.rfind("../", 0) == 0 && dir.size() > root.size() + 1) {
    dir.pop_back();
    dir = dir.substr(0, dir.rfind('/') + 1);
    rel = rel.substr(3);
  }
  while (rel.rfind("./", 0) == 0) rel = rel.substr(2);
  return dir + rel;
}

// THREDDS: datasets with a urlPath under the HTTPServer service; catalogRefs
// are followed (each catalog once).
void walk_catalog(const std::string& url, std::set<std::string>& seen,
                  std::vector<std::string>& files) {
  if (!seen.insert(url).second) return;
  if (seen.size() > 10000) throw Error(url + ": more than 10,000 THREDDS catalogs; giving up");
  HttpRequest get = http_maker(url)("GET");
  const std::string doc = http_perform(get).body;
  std::string base;
  for (const auto& tag : xml::start_tags(doc, "service")) {
    std::string type = xml::attribute(tag, "serviceType");
    std::transform(type.begin(), type.end(), type.begin(), ::tolower);
    if (type == "httpserver") base = xml::attribute(tag, "base");
  }
  for (const auto& tag : xml::start_tags(doc, "dataset")) {
    const std::string path = xml::attribute(tag, "urlPath");
    if (path.empty()) continue;
    if (base.empty()) throw Error(url + ": THREDDS catalog has no HTTPServer service");
    std::string b = base;
    if (!b.empty() && b.back() != '/') b += '/';
    files.push_back(resolve_url(url, b + path));
  }
  for (const auto& tag : xml::start_tags(doc, "catalogRef")) {
    const std::string href = xml::attribute(tag, "href");
    if (!href.empty()) walk_catalog(resolve_url(url, href), seen, files);
  }
}

std::vector<ObjectInfo> list_http(const std::string& spec) {
  std::vector<std::string> urls;
  const std::string path = spec.substr(0, spec.find('?'));
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".xml") == 0) {
    std::set<std::string> seen;
    walk_catalog(spec, seen, urls);
  } else {
    urls.push_back(spec);
  }
  return stat_urls(urls);
}

// ---- S3
RequestMaker s3_maker(const S3Location& where) {
  return [where](const std::string& method) { return s3_request(where, method); };
}

// S3 listings give ISO 8601 ("2026-12-02T03:04:05.000Z").
time_t parse_iso_time(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return timegm(&tm);
}

ObjectInfo from_listing(const std::string& bucket, const S3Object& o) {
  ObjectInfo info;
  info.uri = "s3://" + bucket + "/" + o.key;
  info.size = o.size;
  info.etag = o.etag;
  const time_t t = parse_iso_time(o.last_modified);
  if (t > 0) info.mtime_ns = static_cast<int64_t>(t) * 1000000000LL;
  return info;
}

std::vector<ObjectInfo> list_s3(const std::string& spec) {
  const S3Location where = s3_location(spec);
  std::vector<ObjectInfo> out;
  if (has_glob(where.key)) {
    const auto star = where.key.find_first_of("*?[");
    const std::string prefix = where.key.substr(0, where.key.rfind('/', star) + 1);
    for (const auto& o : s3_list(where.bucket, prefix)) {
      if (::fnmatch(where.key.c_str(), o.key.c_str(), FNM_PATHNAME) == 0) {
        out.push_back(from_listing(where.bucket, o));
      }
    }
    return out;
  }
  std::string prefix = where.key;
  if (!prefix.empty() && prefix.back() != '/') {
    // A key names one object; otherwise it is a folder-like prefix.
    for (const auto& o : s3_list(where.bucket, prefix)) {
      if (o.key == prefix) return {from_listing(where.bucket, o)};
    }
    prefix += '/';
  }
  for (const auto& o : s3_list(where.bucket, prefix)) {
    if (o.key.empty() || o.key.back() == '/') continue;  // folder markers
    out.push_back(from_listing(where.bucket, o));
  }
  return out;
}

// One GET; a 404 is "absent".
std::optional<std::vector<std::byte>> get_whole(const HttpRequest& get) {
  HttpRequest r = get;
  r.not_found_ok = true;
  const HttpResponse response = http_perform(r);
  if (response.status == 404) return std::nullopt;
  const auto* data = reinterpret_cast<const std::byte*>(response.body.data());
  return std::vector<std::byte>(data, data + response.body.size());
}

// ---- the registry
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, Scheme>& schemes() {
  static std::map<std::string, Scheme> table = [] {
    std::map<std::string, Scheme> t;
    t["file"] = {
        [](const std::string& uri, const ObjectInfo*) { return open_file_source(local_path(uri)); },
        &stat_local,
        [](const std::string& uri) { return std::vector<ObjectInfo>{stat_local(uri)}; }, nullptr,
        nullptr};
    Scheme http{[](const std::string& uri, const ObjectInfo* known) {
                  return open_remote_source(uri, http_maker(uri), known);
                },
                [](const std::string& uri) { return stat_remote(uri, http_maker(uri)); },
                &list_http,
                [](const std::string& uri) { return get_whole(http_maker(uri)("GET")); },
                [](const std::string& uri, uint64_t head) {
                  return open_remote_head(uri, http_maker(uri), head);
                }};
    t["http"] = http;
    t["https"] = http;
    t["s3"] = {
        [](const std::string& uri, const ObjectInfo* known) {
          return open_remote_source(uri, s3_maker(s3_location(uri)), known);
        },
        [](const std::string& uri) { return stat_remote(uri, s3_maker(s3_location(uri))); },
        &list_s3,
        [](const std::string& uri) { return get_whole(s3_request(s3_location(uri), "GET")); },
        [](const std::string& uri, uint64_t head) {
          return open_remote_head(uri, s3_maker(s3_location(uri)), head);
        }};
    return t;
  }();
  return table;
}

const Scheme& scheme_for(const std::string& uri) {
  std::lock_guard lock(registry_mutex());
  const std::string s = scheme_of(uri);
  auto it = schemes().find(s);
  if (it == schemes().end()) throw BadRequest(uri + ": unknown URI scheme '" + s + "'");
  return it->second;
}

}  // namespace

std::string scheme_of(const std::string& uri) {
  const auto p = uri.find("://");
  if (p == std::string::npos || p == 0) return "file";
  for (size_t i = 0; i < p; ++i) {
    if (!std::isalnum(static_cast<unsigned char>(uri[i])) && uri[i] != '+') return "file";
  }
  std::string s = uri.substr(0, p);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string local_path(const std::string& uri) {
  return uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
}

bool is_remote(const std::string& uri) { return scheme_of(uri) != "file"; }

bool is_remote_spec(const std::string& spec) {
  return (!spec.empty() && spec[0] == '@') || is_remote(spec);
}

std::unique_ptr<ByteSource> open_byte_source(const std::string& uri, const ObjectInfo* known) {
  return scheme_for(uri).open(uri, known);
}

ObjectInfo stat_object(const std::string& uri) { return scheme_for(uri).stat(uri); }

std::optional<std::vector<std::byte>> read_object(const std::string& uri) {
  const Scheme& scheme = scheme_for(uri);
  if (scheme.get) return scheme.get(uri);
  std::unique_ptr<ByteSource> source;
  try {
    source = scheme.open(uri, nullptr);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return std::nullopt;
    throw;
  }
  std::vector<std::byte> out(source->size());
  source->read(0, out);
  return out;
}

std::unique_ptr<ByteSource> open_byte_source_head(const std::string& uri, uint64_t head_bytes) {
  const Scheme& scheme = scheme_for(uri);
  if (scheme.open_head) return scheme.open_head(uri, head_bytes);
  try {
    return scheme.open(uri, nullptr);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return nullptr;
    throw;
  }
}

std::string object_version(const std::string& uri, int64_t* mtime_s) {
  try {
    const ObjectInfo info = stat_object(uri);
    if (mtime_s) *mtime_s = info.mtime_ns / 1000000000;
    return std::to_string(info.size) + ":" + std::to_string(info.mtime_ns) +
           (info.etag.empty() ? "" : ":" + info.etag);
  } catch (const Error&) {
    return "-";
  }
}

std::vector<ObjectInfo> list_objects(const std::string& spec) {
  std::vector<ObjectInfo> out;
  if (!spec.empty() && spec[0] == '@') {
    std::ifstream in(spec.substr(1));
    if (!in) throw BadRequest(spec.substr(1) + ": cannot open the URL list");
    std::vector<std::string> urls;
    std::string line;
    while (std::getline(in, line)) {
      const auto b = line.find_first_not_of(" \t\r");
      if (b == std::string::npos || line[b] == '#') continue;
      urls.push_back(line.substr(b, line.find_last_not_of(" \t\r") - b + 1));
    }
    if (urls.empty()) throw BadRequest(spec.substr(1) + ": the URL list is empty");
    std::vector<std::string> http_urls;
    for (const auto& u : urls) {
      if (scheme_of(u) == "http" || scheme_of(u) == "https") {
        http_urls.push_back(u);
      } else {
        out.push_back(stat_object(u));
      }
    }
    for (auto& info : stat_urls(http_urls)) out.push_back(std::move(info));
  } else {
    out = scheme_for(spec).list(spec);
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.uri < b.uri; });
  return out;
}

void register_scheme(const std::string& scheme, Scheme handlers) {
  std::lock_guard lock(registry_mutex());
  schemes()[scheme] = std::move(handlers);
}

}  // namespace pixeldrill::io

#include "io/remote_source.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "core/error.h"
#include "io/curl_api.h"

namespace pixeldrill::io {
namespace {

// Ranges closer than this are fetched as one: a round trip costs more than
// tens of kilobytes on any link worth using.
constexpr uint64_t kCoalesceGap = 64 * 1024;
constexpr uint64_t kMaxMerged = 16 * 1024 * 1024;

class RemoteSource final : public ByteSource {
 public:
  RemoteSource(std::string uri, RequestMaker make, ObjectInfo info)
      : uri_(std::move(uri)), make_(std::move(make)), info_(std::move(info)) {}

  uint64_t size() const override { return info_.size; }
  const std::string& name() const override { return uri_; }

  void read(uint64_t offset, std::span<std::byte> out) const override {
    const ReadRequest r{offset, out};
    read_many(std::span<const ReadRequest>(&r, 1));
  }

  void read_many(std::span<const ReadRequest> reads) const override {
    std::vector<size_t> order(reads.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return reads[a].offset < reads[b].offset; });
    struct Span {
      uint64_t begin, end;
      std::vector<size_t> members;
    };
    std::vector<Span> spans;
    for (size_t i : order) {
      const ReadRequest& r = reads[i];
      if (r.out.empty()) continue;
      if (r.offset + r.out.size() > info_.size) {
        throw Error(uri_ + ": object is shorter than expected (wanted bytes " +
                    std::to_string(r.offset) + ".." + std::to_string(r.offset + r.out.size()) +
                    ", object has " + std::to_string(info_.size) + ")");
      }
      const uint64_t end = r.offset + r.out.size();
      if (!spans.empty() && r.offset <= spans.back().end + kCoalesceGap &&
          std::max(end, spans.back().end) - spans.back().begin <= kMaxMerged) {
        spans.back().end = std::max(end, spans.back().end);
        spans.back().members.push_back(i);
      } else {
        spans.push_back({r.offset, end, {i}});
      }
    }
    if (spans.empty()) return;
    std::vector<HttpRequest> requests;
    for (const Span& s : spans) {
      HttpRequest req = make_("GET");
      req.ranged = true;
      req.offset = s.begin;
      req.length = s.end - s.begin;
      // A span of one read is received in place; merged ones are split below.
      if (s.members.size() == 1) req.into = reads[s.members.front()].out;
      requests.push_back(std::move(req));
    }
    const auto responses = http_perform(requests);
    for (size_t k = 0; k < spans.size(); ++k) {
      check_version(responses[k]);
      if (!requests[k].into.empty()) continue;
      const std::string& body = responses[k].body;
      for (size_t i : spans[k].members) {
        std::memcpy(reads[i].out.data(), body.data() + (reads[i].offset - spans[k].begin),
                    reads[i].out.size());
      }
    }
  }

 private:
  // Every response must come from the object version the caller expects.
  void check_version(const HttpResponse& r) const {
    ObjectInfo now;
    version_from_headers(r, &now);
    const std::string range = r.header("content-range");
    const auto slash = range.rfind('/');
    std::string why;
    if (slash != std::string::npos && range.substr(slash + 1) != "*" &&
        std::stoull(range.substr(slash + 1)) != info_.size) {
      why = "size " + std::to_string(info_.size) + " -> " + range.substr(slash + 1);
    } else if (!info_.etag.empty() && !now.etag.empty() && now.etag != info_.etag) {
      why = "ETag " + info_.etag + " -> " + now.etag;
    } else if (info_.mtime_ns && now.mtime_ns && now.mtime_ns != info_.mtime_ns) {
      why = "Last-Modified differs";
    }
    if (!why.empty()) {
      throw Error(ErrorKind::kSourceChanged,
                  uri_ + ": changed since it was listed or indexed (" + why + ")");
    }
  }

  std::string uri_;
  RequestMaker make_;
  ObjectInfo info_;
};

// An object's first bytes, already fetched, in front of the rest of it.
class HeadedSource final : public ByteSource {
 public:
  HeadedSource(std::string head, std::unique_ptr<ByteSource> whole)
      : head_(std::move(head)), whole_(std::move(whole)) {}

  uint64_t size() const override { return whole_->size(); }
  const std::string& name() const override { return whole_->name(); }

  void read(uint64_t offset, std::span<std::byte> out) const override {
    const ReadRequest r{offset, out};
    read_many(std::span<const ReadRequest>(&r, 1));
  }

  void read_many(std::span<const ReadRequest> reads) const override {
    std::vector<ReadRequest> rest;
    for (const auto& r : reads) {
      if (r.offset <= head_.size() && r.out.size() <= head_.size() - r.offset) {
        std::memcpy(r.out.data(), head_.data() + r.offset, r.out.size());
      } else {
        rest.push_back(r);
      }
    }
    if (!rest.empty()) whole_->read_many(rest);
  }

 private:
  std::string head_;
  std::unique_ptr<ByteSource> whole_;
};

}  // namespace

std::unique_ptr<ByteSource> open_remote_head(const std::string& uri, RequestMaker make,
                                             uint64_t head_bytes) {
  HttpRequest get = make("GET");
  get.ranged = true;
  get.head_of_object = true;
  get.offset = 0;
  get.length = head_bytes;
  get.not_found_ok = true;
  HttpResponse r = http_perform(get);
  if (r.status == 404) return nullptr;
  ObjectInfo info;
  info.uri = uri;
  version_from_headers(r, &info);
  info.size = r.body.size();  // a 200: the whole object
  if (r.status == 206) {
    const std::string range = r.header("content-range");
    unsigned long long first = 0, last = 0, total = 0;
    if (std::sscanf(range.c_str(), "bytes %llu-%llu/%llu", &first, &last, &total) != 3) {
      throw Error(uri + ": the server gives no object size in Content-Range '" + range + "'");
    }
    info.size = total;
  }
  auto whole = std::make_unique<RemoteSource>(uri, std::move(make), info);
  return std::make_unique<HeadedSource>(std::move(r.body), std::move(whole));
}

void version_from_headers(const HttpResponse& r, ObjectInfo* info) {
  info->etag = r.header("etag");
  const std::string lm = r.header("last-modified");
  if (!lm.empty()) {
    const time_t t = curl().getdate(lm.c_str(), nullptr);
    if (t > 0) info->mtime_ns = static_cast<int64_t>(t) * 1000000000LL;
  }
}

ObjectInfo stat_remote(const std::string& uri, const RequestMaker& make) {
  const HttpResponse r = http_perform(make("HEAD"));
  ObjectInfo info;
  info.uri = uri;
  version_from_headers(r, &info);
  const std::string length = r.header("content-length");
  if (length.empty()) {
    throw Error(uri + ": the server gives no Content-Length; cannot read it by ranges");
  }
  info.size = std::stoull(length);
  return info;
}

std::unique_ptr<ByteSource> open_remote_source(const std::string& uri, RequestMaker make,
                                               const ObjectInfo* known) {
  ObjectInfo info = known ? *known : stat_remote(uri, make);
  info.uri = uri;
  return std::make_unique<RemoteSource>(uri, std::move(make), std::move(info));
}

}  // namespace pixeldrill::io

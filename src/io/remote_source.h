#pragma once
// A ByteSource over HTTP(S) range requests (S3 objects are HTTP objects with
// signed requests). Internal to io/: callers use open_byte_source().
#include <functional>
#include <memory>

#include "io/byte_source.h"
#include "io/http_client.h"
#include "io/registry.h"

namespace pixeldrill::io {

// Builds the request for an object (method, URL, signature); the source adds
// the range.
using RequestMaker = std::function<HttpRequest(const std::string& method)>;

std::unique_ptr<ByteSource> open_remote_source(const std::string& uri, RequestMaker make,
                                               const ObjectInfo* known);

// The same, without a HEAD: one GET of the object's first `head_bytes`
// (all of it when shorter) gives its size and version, and later reads past
// them are checked against that version. nullptr when the object is absent.
std::unique_ptr<ByteSource> open_remote_head(const std::string& uri, RequestMaker make,
                                             uint64_t head_bytes);

// HEAD: size, ETag, Last-Modified.
ObjectInfo stat_remote(const std::string& uri, const RequestMaker& make);

// The version fields of a response's headers.
void version_from_headers(const HttpResponse& r, ObjectInfo* info);

}  // namespace pixeldrill::io

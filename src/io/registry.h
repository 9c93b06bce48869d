#pragma once
// Byte sources and listings by URI scheme: plain paths and file://, http://
// and https://, s3://. Every object has a version so a reader can tell it
// changed since it was indexed: size + modification time for local files,
// size + ETag / Last-Modified remotely.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/byte_source.h"

namespace pixeldrill::io {

struct ObjectInfo {
  std::string uri;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // modification time (Last-Modified remotely, 1 s resolution)
  std::string etag;      // remote only, when the server gives one
};

// True for URIs with a remote scheme (http, https, s3).
bool is_remote(const std::string& uri);

// Opens one object. With `known` (size and version from a listing or an
// index) a remote source sends no HEAD request, and every response is checked
// against it: a changed object is an Error of kind kSourceChanged naming it.
std::unique_ptr<ByteSource> open_byte_source(const std::string& uri,
                                             const ObjectInfo* known = nullptr);

// Opens one object whose first `head_bytes` the caller will read: remotely
// they come in the same request that gives its size and version (no HEAD),
// and later reads are checked against that version. nullptr when absent.
std::unique_ptr<ByteSource> open_byte_source_head(const std::string& uri, uint64_t head_bytes);

// Size and version of one object (HEAD remotely); throws Error naming it.
ObjectInfo stat_object(const std::string& uri);

// A cheap version of an object to compare for change detection:
// "size:mtime_ns[:etag]" from stat_object, or "-" when it cannot be stat'ed
// (gone). `mtime_s`, when given, gets the modification time in seconds.
std::string object_version(const std::string& uri, int64_t* mtime_s = nullptr);

// The objects of a remote collection SOURCE, sorted by URI:
//   s3://BUCKET/PREFIX   every key under the prefix (ListObjectsV2, all pages)
//   @FILE                one URL per line ('#' comments, blank lines ignored)
//   http(s)://.../catalog.xml  a THREDDS catalog, catalogRefs followed
//   any other remote URI a single object
// A glob in the last path part (s3://b/2024/*.nc) filters the listing.
std::vector<ObjectInfo> list_objects(const std::string& spec);

// True when `spec` names a remote collection or object (including @FILE).
bool is_remote_spec(const std::string& spec);

// Writes a whole object so that readers never see a half-written one: a
// local file is written under a temporary name (in `tmp_dir` when given, which
// must be on the same filesystem; else beside it), checked, and renamed into
// place, creating parent folders; S3 takes one PUT, which is atomic. Throws
// Error naming the object. HTTP(S) is read-only.
void write_object(const std::string& uri, std::span<const std::byte> bytes,
                  const std::string& tmp_dir = "");
void write_object(const std::string& uri, const std::string& bytes);
// Several whole objects, as write_object each; remotely up to
// remote_options().requests uploads in flight at once. Throws Error naming
// the first object that failed (the others may or may not have been written).
struct ObjectUpload {
  std::string uri;
  std::string bytes;
};
void write_objects(std::span<const ObjectUpload> uploads);
// Removes one object; no error when it is already absent.
void remove_object(const std::string& uri);
// True when the object exists; false when it is absent (other failures throw).
bool object_exists(const std::string& uri);
// The whole object in one request (no HEAD first); nullopt when it is absent.
// For small objects read whole: metadata, listings, manifests.
std::optional<std::vector<std::byte>> read_object(const std::string& uri);

// A new scheme ("gs", ...): how to open, stat and list its objects.
struct Scheme {
  std::function<std::unique_ptr<ByteSource>(const std::string&, const ObjectInfo*)> open;
  std::function<ObjectInfo(const std::string&)> stat;
  std::function<std::vector<ObjectInfo>(const std::string&)> list;
  // Whole object, nullopt when absent; when not set, open() + read().
  std::function<std::optional<std::vector<std::byte>>(const std::string&)> get;
  // open_byte_source_head(); when not set, open() (nullptr when absent).
  std::function<std::unique_ptr<ByteSource>(const std::string&, uint64_t)> open_head;
};
void register_scheme(const std::string& scheme, Scheme handlers);

}  // namespace pixeldrill::io

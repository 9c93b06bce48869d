#pragma once
// A Zarr v2 store as a set of keyed objects under one root, read and written
// through io/: a local folder, an S3 prefix (read and write) or an HTTP(S)
// folder (read only). Every object is written whole (local: temporary name and
// rename; S3: one PUT), so a reader, or a conversion killed at any instant,
// never sees a half-written chunk or metadata file.
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/byte_source.h"

namespace pixeldrill::io {
class OpenFiles;
}  // namespace pixeldrill::io

namespace pixeldrill::zarr {

class Directory {
 public:
  // `root`: a folder path or file://, s3:// or http(s):// URI. `tmp_dir`
  // (local roots only; created on demand) holds objects being written and must
  // be on the same filesystem as `root`.
  explicit Directory(std::string root, std::string tmp_dir = "");

  const std::string& root() const { return root_; }
  bool remote() const { return remote_; }
  // The URI (or path) of one key, as messages name it.
  std::string uri(const std::string& key) const { return root_ + "/" + key; }

  void write(const std::string& key, std::span<const std::byte> bytes) const;
  void write_json(const std::string& key, const nlohmann::json& j) const;
  void remove(const std::string& key) const;  // no error when absent
  bool exists(const std::string& key) const;
  // The whole object; nullopt when it is absent.
  std::optional<std::vector<std::byte>> read(const std::string& key) const;
  // Random access to one object (remote: small reads served from a block
  // cache); nullptr when it is absent.
  std::unique_ptr<io::ByteSource> open(const std::string& key) const;
  // The same for an object whose size is known (from the store's chunk
  // manifest): remotely no HEAD request, and every answer is checked against
  // that size; a missing object shows at the first read (ErrorKind::kNotFound).
  std::unique_ptr<io::ByteSource> open(const std::string& key, uint64_t known_size) const;
  // A local object through `files` (kept open, read as it was when first
  // opened: the caller verifies it); remote ones as open(key).
  std::unique_ptr<io::ByteSource> open_kept(const std::string& key, io::OpenFiles& files) const;
  // The same for a caller about to read the object's first `head_bytes`:
  // remotely they come with its size in one request (io::open_byte_source_head).
  std::unique_ptr<io::ByteSource> open_head(const std::string& key, uint64_t head_bytes) const;
  // Throws Error naming the object when it is absent or not JSON.
  nlohmann::json read_json(const std::string& key) const;
  // The same, nullopt when it is absent.
  std::optional<nlohmann::json> read_json_if_present(const std::string& key) const;

  // Gathers .zgroup/.zattrs of the root and .zarray/.zattrs of each of
  // `arrays` into .zmetadata (zarr_consolidated_format 1). Without `arrays`,
  // the arrays are found by listing the root (every directly nested
  // NAME/.zarray).
  void write_consolidated(std::optional<std::vector<std::string>> arrays = std::nullopt) const;
  // Removes temporaries a killed writer left behind (local roots).
  void clear_temporaries() const;

 private:
  std::vector<std::string> list_arrays() const;

  std::string root_;
  std::string tmp_dir_;
  bool remote_;
};

// Same bytes as zarr-python writes (sorted keys, 4-space indent).
std::string dump_json(const nlohmann::json& j);

}  // namespace pixeldrill::zarr

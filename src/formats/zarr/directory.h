#pragma once
// A Zarr v2 DirectoryStore on local disk: every file is written to a
// temporary name inside the store and renamed into place, so a reader (or a
// conversion killed at any instant) never sees a half-written chunk or
// metadata file.
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pixeldrill::zarr {

class Directory {
 public:
  // `tmp_dir` (created on demand) must be on the same filesystem as `root`.
  Directory(std::filesystem::path root, std::filesystem::path tmp_dir);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path path(const std::string& key) const { return root_ / key; }

  void write(const std::string& key, std::span<const std::byte> bytes) const;
  void write_json(const std::string& key, const nlohmann::json& j) const;
  void remove(const std::string& key) const;  // no error when absent
  bool exists(const std::string& key) const;
  std::optional<std::vector<std::byte>> read(const std::string& key) const;
  // Throws Error naming the file when it is absent or not JSON.
  nlohmann::json read_json(const std::string& key) const;

  // Gathers .zgroup/.zattrs of the root and .zarray/.zattrs of every array
  // directly under it into .zmetadata (zarr_consolidated_format 1).
  void write_consolidated() const;
  // Removes temporaries a killed writer left behind.
  void clear_temporaries() const;

 private:
  std::filesystem::path root_;
  std::filesystem::path tmp_dir_;
};

// Same bytes as zarr-python writes (sorted keys, 4-space indent).
std::string dump_json(const nlohmann::json& j);

}  // namespace pixeldrill::zarr

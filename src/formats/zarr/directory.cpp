#include "formats/zarr/directory.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "io/open_files.h"
#include "io/registry.h"

namespace pixeldrill::zarr {
namespace fs = std::filesystem;

// Attributes copied from NetCDF files may hold Latin-1 bytes: they are
// replaced by U+FFFD rather than failing the whole write.
std::string dump_json(const nlohmann::json& j) {
  return j.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {
std::string without_trailing_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}
}  // namespace

Directory::Directory(std::string root, std::string tmp_dir)
    : root_(without_trailing_slash(std::move(root))),
      tmp_dir_(std::move(tmp_dir)),
      remote_(io::is_remote(root_)) {}

void Directory::write(const std::string& key, std::span<const std::byte> bytes) const {
  io::write_object(uri(key), bytes, remote_ ? "" : tmp_dir_);
}

void Directory::write_json(const std::string& key, const nlohmann::json& j) const {
  const std::string text = dump_json(j);
  write(key, std::as_bytes(std::span(text.data(), text.size())));
}

void Directory::remove(const std::string& key) const { io::remove_object(uri(key)); }

bool Directory::exists(const std::string& key) const { return io::object_exists(uri(key)); }

std::unique_ptr<io::ByteSource> Directory::open(const std::string& key) const {
  try {
    auto source = io::open_byte_source(uri(key));
    if (!remote_) return source;
    // Chunk headers, block tables and metadata are small reads near each other.
    return io::with_block_cache(std::move(source));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return nullptr;
    throw;
  }
}

std::unique_ptr<io::ByteSource> Directory::open(const std::string& key, uint64_t known_size) const {
  if (!remote_) return open(key);
  const io::ObjectInfo known{uri(key), known_size, 0, ""};
  return io::with_block_cache(io::open_byte_source(uri(key), &known));
}

std::unique_ptr<io::ByteSource> Directory::open_kept(const std::string& key,
                                                     io::OpenFiles& files) const {
  if (remote_) return open(key);
  try {
    return files.open(uri(key));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return nullptr;
    throw;
  }
}

std::unique_ptr<io::ByteSource> Directory::open_head(const std::string& key,
                                                     uint64_t head_bytes) const {
  if (!remote_) return open(key);
  return io::open_byte_source_head(uri(key), head_bytes);
}

std::optional<std::vector<std::byte>> Directory::read(const std::string& key) const {
  return io::read_object(uri(key));
}

namespace {

nlohmann::json parse_json(std::span<const std::byte> bytes, const std::string& name) {
  try {
    return nlohmann::json::parse(reinterpret_cast<const char*>(bytes.data()),
                                 reinterpret_cast<const char*>(bytes.data()) + bytes.size());
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kCorrupt, name + ": not valid JSON: " + e.what());
  }
}

}  // namespace

nlohmann::json Directory::read_json(const std::string& key) const {
  const auto bytes = read(key);
  if (!bytes) throw Error(ErrorKind::kNotFound, uri(key) + ": missing");
  return parse_json(*bytes, uri(key));
}

std::optional<nlohmann::json> Directory::read_json_if_present(const std::string& key) const {
  const auto bytes = read(key);
  if (!bytes) return std::nullopt;
  return parse_json(*bytes, uri(key));
}

std::vector<std::string> Directory::list_arrays() const {
  std::set<std::string> arrays;  // sorted, so .zmetadata is deterministic
  if (!remote_) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
      if (entry.is_directory() && fs::exists(entry.path() / ".zarray")) {
        arrays.insert(entry.path().filename().string());
      }
    }
    if (ec) throw Error(root_ + ": cannot list: " + ec.message());
    return {arrays.begin(), arrays.end()};
  }
  const std::string prefix = root_ + "/";
  for (const auto& object : io::list_objects(prefix)) {
    if (object.uri.rfind(prefix, 0) != 0) continue;
    const std::string key = object.uri.substr(prefix.size());
    const auto slash = key.find('/');
    if (slash != std::string::npos && key.substr(slash) == "/.zarray") {
      arrays.insert(key.substr(0, slash));
    }
  }
  return {arrays.begin(), arrays.end()};
}

void Directory::write_consolidated(std::optional<std::vector<std::string>> arrays) const {
  nlohmann::json metadata = nlohmann::json::object();
  for (const char* key : {".zgroup", ".zattrs"}) {
    if (exists(key)) metadata[key] = read_json(key);
  }
  std::vector<std::string> names = arrays ? *arrays : list_arrays();
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    for (const char* file : {".zarray", ".zattrs"}) {
      const std::string key = name + "/" + file;
      if (const auto bytes = read(key)) metadata[key] = parse_json(*bytes, uri(key));
    }
  }
  write_json(".zmetadata", {{"metadata", metadata}, {"zarr_consolidated_format", 1}});
}

void Directory::clear_temporaries() const {
  if (remote_ || tmp_dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(tmp_dir_, ec);
}

}  // namespace pixeldrill::zarr

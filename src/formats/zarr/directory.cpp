#include "formats/zarr/directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"

namespace pixeldrill::zarr {
namespace fs = std::filesystem;

// Attributes copied from NetCDF files may hold Latin-1 bytes: they are
// replaced by U+FFFD rather than failing the whole write.
std::string dump_json(const nlohmann::json& j) {
  return j.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Directory::Directory(fs::path root, fs::path tmp_dir)
    : root_(std::move(root)), tmp_dir_(std::move(tmp_dir)) {}

void Directory::write(const std::string& key, std::span<const std::byte> bytes) const {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  fs::create_directories(tmp_dir_, ec);
  const fs::path target = path(key);
  fs::create_directories(target.parent_path(), ec);
  const fs::path tmp = tmp_dir_ / (std::to_string(::getpid()) + "-" +
                                   std::to_string(counter.fetch_add(1)) + ".part");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(tmp.string() + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(target.string() + ": write failed: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(target.string() + ": cannot write: " + why);
  }
}

void Directory::write_json(const std::string& key, const nlohmann::json& j) const {
  const std::string text = dump_json(j);
  write(key, std::as_bytes(std::span(text.data(), text.size())));
}

void Directory::remove(const std::string& key) const {
  std::error_code ec;
  fs::remove(path(key), ec);
}

bool Directory::exists(const std::string& key) const { return fs::exists(path(key)); }

std::optional<std::vector<std::byte>> Directory::read(const std::string& key) const {
  const fs::path p = path(key);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw Error(p.string() + ": cannot open: " + std::strerror(errno));
  }
  std::vector<std::byte> out;
  struct stat st {};
  if (::fstat(fd, &st) == 0) out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw Error(p.string() + ": read failed");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

nlohmann::json Directory::read_json(const std::string& key) const {
  const auto bytes = read(key);
  if (!bytes) throw Error(path(key).string() + ": missing");
  try {
    return nlohmann::json::parse(reinterpret_cast<const char*>(bytes->data()),
                                 reinterpret_cast<const char*>(bytes->data()) + bytes->size());
  } catch (const nlohmann::json::exception& e) {
    throw Error(path(key).string() + ": not valid JSON: " + e.what());
  }
}

void Directory::write_consolidated() const {
  nlohmann::json metadata = nlohmann::json::object();
  for (const char* key : {".zgroup", ".zattrs"}) {
    if (exists(key)) metadata[key] = read_json(key);
  }
  std::map<std::string, fs::path> arrays;  // sorted, so the file is deterministic
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (entry.is_directory() && fs::exists(entry.path() / ".zarray")) {
      arrays[entry.path().filename().string()] = entry.path();
    }
  }
  for (const auto& [name, dir] : arrays) {
    for (const char* file : {".zarray", ".zattrs"}) {
      const std::string key = name + "/" + file;
      if (exists(key)) metadata[key] = read_json(key);
    }
  }
  write_json(".zmetadata", {{"metadata", metadata}, {"zarr_consolidated_format", 1}});
}

void Directory::clear_temporaries() const {
  std::error_code ec;
  fs::remove_all(tmp_dir_, ec);
}

}  // namespace pixeldrill::zarr

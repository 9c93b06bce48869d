// Writing and removing whole objects: the only place pixeldrill creates
// files or uploads objects that readers may look at while they are written.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "io/registry.h"
#include "io/s3.h"
#include "io/uri.h"

namespace pixeldrill::io {
namespace fs = std::filesystem;
namespace {

void write_all(int fd, std::span<const std::byte> bytes, const std::string& target) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(target + ": write failed: " + std::strerror(n < 0 ? errno : ENOSPC));
    done += static_cast<size_t>(n);
  }
}

void write_local(const std::string& path, std::span<const std::byte> bytes,
                 const std::string& tmp_dir) {
  static std::atomic<uint64_t> counter{0};
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (!tmp_dir.empty()) fs::create_directories(tmp_dir, ec);
  const std::string unique =
      std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + ".part";
  const fs::path tmp = tmp_dir.empty() ? fs::path(path + "." + unique) : fs::path(tmp_dir) / unique;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(tmp.string() + ": cannot create: " + std::strerror(errno));
  try {
    write_all(fd, bytes, path);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot write: " + why);
  }
}

}  // namespace

void write_object(const std::string& uri, std::span<const std::byte> bytes,
                  const std::string& tmp_dir) {
  const std::string scheme = scheme_of(uri);
  if (scheme == "s3") {
    s3_put(s3_location(uri),
           std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    return;
  }
  if (scheme != "file") throw BadRequest(uri + ": cannot write to this kind of URI");
  write_local(local_path(uri), bytes, tmp_dir);
}

void write_object(const std::string& uri, const std::string& bytes) {
  write_object(uri, std::as_bytes(std::span(bytes.data(), bytes.size())));
}

void remove_object(const std::string& uri) {
  const std::string scheme = scheme_of(uri);
  if (scheme == "s3") return s3_delete(s3_location(uri));
  if (scheme != "file") throw BadRequest(uri + ": cannot remove objects at this kind of URI");
  const std::string path = local_path(uri);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error(path + ": cannot remove: " + std::strerror(errno));
  }
}

bool object_exists(const std::string& uri) {
  try {
    stat_object(uri);
    return true;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return false;
    throw;
  }
}

}  // namespace pixeldrill::io

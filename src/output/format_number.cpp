#include "output/format_number.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace pixeldrill::output {

std::string format_value(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

Precision parse_precision(const std::string& text) {
  if (text == "data") return Precision::kData;
  if (text == "full") return Precision::kFull;
  throw BadRequest("precision '" + text + "': expected data or full");
}

std::string format_value(double v, const drill::Column& column, Precision precision) {
  if (std::isnan(v)) return "";
  if (precision == Precision::kFull || std::isinf(v)) return format_value(v);
  char buf[64];
  switch (column.digits) {
    case drill::Digits::kInteger:
      if (v == std::trunc(v) && std::fabs(v) < 9.007199254740992e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        return buf;
      }
      return format_value(v);
    case drill::Digits::kFloat32: {
      if (!(std::fabs(v) < 3.4e38)) return format_value(v);
      const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<float>(v));
      return std::string(buf, r.ptr);
    }
    case drill::Digits::kQuantum: {
      if (!(column.quantum > 0) || !(std::fabs(v) < 1e15)) return format_value(v);
      // One decimal past the quantum's first significant digit: 10^-decimals
      // < quantum, so a printed value is less than half a quantum off and
      // packs back to the same stored number.
      const int decimals =
          std::clamp(static_cast<int>(std::floor(-std::log10(column.quantum))) + 1, 0, 17);
      std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
      std::string text = buf;
      if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
      }
      if (text == "-0") text = "0";
      return text;
    }
    case drill::Digits::kDouble:
      break;
  }
  return format_value(v);
}

std::string format_coordinate(double v) {
  if (!(std::fabs(v) < 1e30)) return format_value(v);
  const float f = static_cast<float>(v);
  if (static_cast<double>(f) == v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, f);
    return std::string(buf, r.ptr);
  }
  return format_value(v);
}

std::string temp_path_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

void commit_temp(const std::string& temp, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw Error(path + ": cannot write: " + ec.message());
  }
}

namespace {

// Writes every byte to `fd`, retrying short writes and EINTR; false with errno set on failure.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void check_output_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw BadRequest(path + ": is a folder; give a file name to write");
  }
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    throw BadRequest(path + ": cannot write: folder " + parent.string() + " does not exist");
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, text.data(), text.size());
}

void write_file_atomically(const std::string& path, const void* data, size_t size) {
  check_output_path(path);
  const std::string temp = temp_path_beside(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
  // A full disk shows up in write() or, on some file systems, only in fsync() or close().
  bool ok = write_all(fd, static_cast<const char*>(data), size) && ::fsync(fd) == 0;
  int saved = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw Error(path + ": write failed: " + std::strerror(saved));
  }
  commit_temp(temp, path);
}

void write_stdout(const std::string& text) {
  std::fflush(stdout);
  if (!write_all(STDOUT_FILENO, text.data(), text.size())) {
    throw Error(std::string("standard output: write failed: ") + std::strerror(errno));
  }
}

}  // namespace pixeldrill::output

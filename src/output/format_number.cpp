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
#include "io/registry.h"

namespace pixeldrill::output {

Precision parse_precision(const std::string& text) {
  if (text == "data") return Precision::kData;
  if (text == "full") return Precision::kFull;
  throw BadRequest("precision '" + text + "': expected data or full");
}

// std::to_chars throughout: no locale, no printf parsing (a long CSV series
// spent a third of a drill in snprintf), and the fixed-precision forms are
// specified to print exactly what printf("%.*f") prints.
char* write_value(char* out, double v) {
  if (std::isnan(v)) return out;
  return std::to_chars(out, out + kNumberMax, v).ptr;
}

char* write_value(char* out, double v, const drill::Column& column, Precision precision) {
  if (std::isnan(v)) return out;
  if (precision == Precision::kFull || std::isinf(v)) return write_value(out, v);
  switch (column.digits) {
    case drill::Digits::kInteger:
      if (v == std::trunc(v) && std::fabs(v) < 9.007199254740992e15) {
        return std::to_chars(out, out + kNumberMax, v, std::chars_format::fixed, 0).ptr;
      }
      return write_value(out, v);
    case drill::Digits::kFloat32:
      if (!(std::fabs(v) < 3.4e38)) return write_value(out, v);
      return std::to_chars(out, out + kNumberMax, static_cast<float>(v)).ptr;
    case drill::Digits::kQuantum: {
      if (!(column.quantum > 0) || !(std::fabs(v) < 1e15)) return write_value(out, v);
      // One decimal past the quantum's first significant digit: 10^-decimals
      // < quantum, so a printed value is less than half a quantum off and
      // packs back to the same stored number.
      const int decimals =
          std::clamp(static_cast<int>(std::floor(-std::log10(column.quantum))) + 1, 0, 17);
      char* end = std::to_chars(out, out + kNumberMax, v, std::chars_format::fixed, decimals).ptr;
      if (decimals > 0) {
        while (end[-1] == '0') --end;
        if (end[-1] == '.') --end;
      }
      if (end - out == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        end = out + 1;
      }
      return end;
    }
    case drill::Digits::kDouble:
      break;
  }
  return write_value(out, v);
}

char* write_coordinate(char* out, double v) {
  if (!(std::fabs(v) < 1e30)) return write_value(out, v);
  const float f = static_cast<float>(v);
  if (static_cast<double>(f) == v) return std::to_chars(out, out + kNumberMax, f).ptr;
  return write_value(out, v);
}

std::string format_value(double v) {
  char buf[kNumberMax];
  return std::string(buf, write_value(buf, v));
}

std::string format_value(double v, const drill::Column& column, Precision precision) {
  char buf[kNumberMax];
  return std::string(buf, write_value(buf, v, column, precision));
}

std::string format_coordinate(double v) {
  char buf[kNumberMax];
  return std::string(buf, write_coordinate(buf, v));
}

std::string temp_path_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

void commit_temp(const std::string& temp, const std::string& path) {
  std::error_code ec;
  // A rename would put a regular file in place of a device (-o /dev/null) or FIFO.
  const auto kind = std::filesystem::status(path, ec).type();
  if (kind != std::filesystem::file_type::not_found &&
      kind != std::filesystem::file_type::regular && kind != std::filesystem::file_type::none) {
    std::filesystem::remove(temp, ec);
    throw Error(path + ": cannot write: not a regular file (a device or FIFO is not replaced)");
  }
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
  if (io::is_remote(path)) {
    // S3: one PUT, which readers see whole or not at all.
    io::write_object(path, std::span(static_cast<const std::byte*>(data), size));
    return;
  }
  TextTarget target(path);
  target.write(data, size);
  target.commit();
}

TextTarget::TextTarget(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") {
    to_stdout_ = true;
    std::fflush(stdout);
    return;
  }
  check_output_path(path);
  std::error_code ec;
  const auto kind = std::filesystem::status(path, ec).type();
  if (kind == std::filesystem::file_type::character || kind == std::filesystem::file_type::fifo) {
    // -o /dev/null, -o /dev/stdout, a FIFO: written in place, never renamed over.
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
    return;
  }
  temp_ = temp_path_beside(path);
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
}

TextTarget::~TextTarget() {
  if (fd_ < 0) return;
  ::close(fd_);
  std::error_code ec;
  if (!temp_.empty()) std::filesystem::remove(temp_, ec);
}

void TextTarget::fail(int error) {
  if (to_stdout_) {
    throw Error(std::string("standard output: write failed: ") + std::strerror(error));
  }
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  if (!temp_.empty()) std::filesystem::remove(temp_, ec);
  throw Error(path_ + ": write failed: " + std::strerror(error));
}

void TextTarget::write(const void* data, size_t size) {
  if (!to_stdout_ && fd_ < 0) throw Error(ErrorKind::kInternal, path_ + ": written after commit");
  if (!write_all(to_stdout_ ? STDOUT_FILENO : fd_, static_cast<const char*>(data), size)) {
    fail(errno);
  }
}

void TextTarget::commit() {
  if (fd_ < 0) return;
  // A full disk shows up in write() or, on some file systems, only in fsync() or close().
  if (!temp_.empty() && ::fsync(fd_) != 0) fail(errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int saved = errno;
    std::error_code ec;
    if (!temp_.empty()) std::filesystem::remove(temp_, ec);
    throw Error(path_ + ": write failed: " + std::strerror(saved));
  }
  if (!temp_.empty()) commit_temp(temp_, path_);
}

void write_stdout(const std::string& text) {
  std::fflush(stdout);
  if (!write_all(STDOUT_FILENO, text.data(), text.size())) {
    throw Error(std::string("standard output: write failed: ") + std::strerror(errno));
  }
}

}  // namespace pixeldrill::output

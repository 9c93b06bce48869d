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

namespace {

// printf("%.*f") of v, then trailing zeros and a bare "-0" dropped.
char* write_fixed_exact(char* out, double v, int decimals) {
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

// The same text through integer arithmetic when the rounding is certain, as
// it is for nearly every packed value (a served 10-year point spent most of
// its CSV time in to_chars' exact fixed-precision path: docs/store.md, "Dirty
// vector registers, CSV values"). v * 10^decimals is within 2^-22 of its exact
// product when its magnitude is under 2^31 (10^decimals <= 10^9 is exact), so
// when the product is more than 2^-16 from a half, the nearest integer is the
// one printf's exact rounding picks; otherwise the exact path decides.
char* write_fixed(char* out, double v, int decimals, double scale) {
  const double r = v * scale;
  if (!(std::fabs(r) < 2147483648.0)) return write_fixed_exact(out, v, decimals);
  const double below = std::floor(r);
  const double fraction = r - below;  // exact (Sterbenz)
  if (std::fabs(fraction - 0.5) < 1.0 / 65536) return write_fixed_exact(out, v, decimals);
  auto n = static_cast<int64_t>(fraction < 0.5 ? below : below + 1);
  if (n == 0) {  // "-0.00" and "0.00" both print as "0"
    *out = '0';
    return out + 1;
  }
  char* p = out;
  if (n < 0) {
    *p++ = '-';
    n = -n;
  }
  // Digits from the right: the fraction without its trailing zeros, then the integer part.
  char digits[24];
  char* d = digits + sizeof digits;
  int fraction_digits = decimals;
  while (fraction_digits > 0 && n % 10 == 0) {
    n /= 10;
    --fraction_digits;
  }
  for (int i = 0; i < fraction_digits; ++i) {
    *--d = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  if (fraction_digits > 0) *--d = '.';
  do {
    *--d = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0);
  const auto size = static_cast<size_t>(digits + sizeof digits - d);
  std::memcpy(p, d, size);
  return p + size;
}

}  // namespace

ValueFormat::ValueFormat(const drill::Column& column, Precision precision) {
  if (precision == Precision::kFull) return;
  switch (column.digits) {
    case drill::Digits::kInteger:
      kind_ = Kind::kInteger;
      break;
    case drill::Digits::kFloat32:
      kind_ = Kind::kFloat32;
      break;
    case drill::Digits::kQuantum:
      if (!(column.quantum > 0)) break;
      // One decimal past the quantum's first significant digit: 10^-decimals
      // < quantum, so a printed value is less than half a quantum off and
      // packs back to the same stored number.
      kind_ = Kind::kFixed;
      decimals_ = std::clamp(static_cast<int>(std::floor(-std::log10(column.quantum))) + 1, 0, 17);
      scale_ = decimals_ <= 9 ? std::pow(10.0, decimals_) : 0;  // 0: always the exact path
      break;
    case drill::Digits::kDouble:
      break;
  }
}

char* ValueFormat::write(char* out, double v) const {
  if (std::isnan(v)) return out;
  if (std::isinf(v)) return write_value(out, v);
  switch (kind_) {
    case Kind::kInteger:
      if (v == std::trunc(v) && std::fabs(v) < 9.007199254740992e15) {
        return std::to_chars(out, out + kNumberMax, v, std::chars_format::fixed, 0).ptr;
      }
      return write_value(out, v);
    case Kind::kFloat32:
      if (!(std::fabs(v) < 3.4e38)) return write_value(out, v);
      return std::to_chars(out, out + kNumberMax, static_cast<float>(v)).ptr;
    case Kind::kFixed:
      if (!(std::fabs(v) < 1e15)) return write_value(out, v);
      return scale_ > 0 ? write_fixed(out, v, decimals_, scale_)
                        : write_fixed_exact(out, v, decimals_);
    case Kind::kShortest:
      break;
  }
  return write_value(out, v);
}

char* write_value(char* out, double v, const drill::Column& column, Precision precision) {
  return ValueFormat(column, precision).write(out, v);
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

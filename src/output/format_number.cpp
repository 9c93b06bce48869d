#include "output/format_number.h"

#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace pixeldrill::output {

std::string format_value(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
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

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temp = temp_path_beside(path);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      throw Error(path + ": write failed: " + std::strerror(errno));
    }
  }
  commit_temp(temp, path);
}

}  // namespace pixeldrill::output

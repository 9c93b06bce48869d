#include "catalog/collection.h"

#include <glob.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace pixeldrill::catalog {
namespace fs = std::filesystem;

bool has_netcdf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> head{};
  if (!in.read(head.data(), head.size())) return false;
  if (std::memcmp(head.data(), "\x89HDF\r\n\x1a\n", 8) == 0) return true;
  return std::memcmp(head.data(), "CDF", 3) == 0 && (head[3] == 1 || head[3] == 2 || head[3] == 5);
}

bool is_glob(const std::string& spec) { return spec.find_first_of("*?[") != std::string::npos; }

namespace {
bool has_netcdf_extension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".nc" || ext == ".nc4";
}
}  // namespace

std::vector<std::string> discover_files(const std::string& spec) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(spec, ec)) {
    for (fs::recursive_directory_iterator
             it(spec, fs::directory_options::follow_directory_symlink, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && has_netcdf_extension(it->path())) {
        files.push_back(it->path().string());
      }
    }
    if (ec) throw Error(spec + ": cannot list folder: " + ec.message());
    if (files.empty()) throw Error(spec + ": folder holds no NetCDF files (*.nc, *.nc4)");
  } else if (is_glob(spec)) {
    glob_t g{};
    const int rc = ::glob(spec.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (fs::is_regular_file(g.gl_pathv[i], ec)) files.emplace_back(g.gl_pathv[i]);
      }
    }
    globfree(&g);
    if (files.empty()) throw Error(spec + ": no files match this pattern");
  } else if (fs::is_regular_file(spec, ec)) {
    files.push_back(spec);
  } else {
    throw Error(spec + ": no such file or folder");
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace pixeldrill::catalog

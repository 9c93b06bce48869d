#include "catalog/collection.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <utility>

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

// Walks a folder tree once, following folder links but entering each folder
// (by device and inode) only once, so a link back up the tree neither repeats
// files nor loops forever. What cannot be read as a file is named in `skipped`.
class TreeWalk {
 public:
  TreeWalk(std::vector<std::string>* files, std::vector<std::string>* skipped)
      : files_(files), skipped_(skipped) {}

  void walk(const fs::path& dir, const struct stat& st) {
    if (!seen_.emplace(st.st_dev, st.st_ino).second) return;
    std::error_code ec;
    std::vector<fs::path> children;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      children.push_back(it->path());
    }
    if (ec) throw Error(dir.string() + ": cannot list folder: " + ec.message());
    std::sort(children.begin(), children.end());
    for (const auto& child : children) visit(child);
  }

 private:
  void visit(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      struct stat link {};
      if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
        skip(path, "dangling symbolic link");
      } else if (has_netcdf_extension(path)) {
        skip(path, std::string("cannot stat: ") + std::strerror(errno));
      }
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (seen_.count({st.st_dev, st.st_ino})) {
        std::error_code ec;
        const fs::path target = fs::canonical(path, ec);
        skip(path, "folder already walked" + (ec ? "" : " (it is " + target.string() + ")") +
                       ": a link loop or a second link to it");
        return;
      }
      if (has_netcdf_extension(path)) skip(path, "a folder named like a NetCDF file");
      walk(path, st);
    } else if (has_netcdf_extension(path)) {
      if (S_ISREG(st.st_mode)) {
        files_->push_back(path.string());
      } else {
        skip(path, "not a regular file (FIFO, socket or device)");
      }
    }
  }
  void skip(const fs::path& path, const std::string& why) {
    if (skipped_) skipped_->push_back(path.string() + ": " + why);
  }

  std::vector<std::string>* files_;
  std::vector<std::string>* skipped_;
  std::set<std::pair<dev_t, ino_t>> seen_;
};
}  // namespace

std::vector<std::string> discover_files(const std::string& spec,
                                        std::vector<std::string>* skipped) {
  std::vector<std::string> files;
  std::error_code ec;
  struct stat st {};
  if (::stat(spec.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    TreeWalk(&files, skipped).walk(spec, st);
    if (files.empty()) throw Error(spec + ": folder holds no NetCDF files (*.nc, *.nc4)");
  } else if (is_glob(spec)) {
    glob_t g{};
    const int rc = ::glob(spec.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        if (fs::is_regular_file(g.gl_pathv[i], ec)) {
          files.emplace_back(g.gl_pathv[i]);
        } else if (skipped && !fs::is_directory(g.gl_pathv[i], ec)) {
          skipped->push_back(std::string(g.gl_pathv[i]) +
                             ": not a regular file (FIFO, socket, device or dangling link)");
        }
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

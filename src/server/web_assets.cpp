#include "server/web_assets.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace pixeldrill::server {
namespace fs = std::filesystem;

namespace {

std::string find_web_dir() {
  if (const char* env = std::getenv("PIXELDRILL_WEB_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (const char* rel : {"../web/dist", "../share/pixeldrill/web", "../../web/dist"}) {
    const fs::path p = exe.parent_path() / rel;
    if (fs::is_regular_file(p / "index.html", ec)) return p.string();
  }
  return "";
}

}  // namespace

std::map<std::string, std::string> load_web_assets(const std::string& dir_option) {
  std::map<std::string, std::string> files;
  const std::string dir = dir_option.empty() ? find_web_dir() : dir_option;
  if (dir.empty()) return files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorKind::kNotFound, "web_dir " + dir + ": not a folder");
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) throw Error("web_dir: cannot read " + entry.path().string());
    files[fs::relative(entry.path(), dir).generic_string()] = ss.str();
  }
  return files;
}

std::string content_type_for(const std::string& name) {
  const std::string ext = name.substr(name.rfind('.') + 1);
  if (ext == "html") return "text/html; charset=UTF-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=UTF-8";
  if (ext == "css") return "text/css; charset=UTF-8";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

}  // namespace pixeldrill::server

#include "store/store_state.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/error.h"

namespace pixeldrill::store {

nlohmann::json StoreState::to_json() const {
  nlohmann::json vars = nlohmann::json::array();
  for (const auto& v : variables)
    vars.push_back({{"name", v.name}, {"encoding", v.encoding.to_json()}});
  return {{"version", kStoreVersion},
          {"source", source},
          {"mode", mode},
          {"chunks", chunks},
          {"codec", codec.to_json()},
          {"variables", vars},
          {"times", times},
          {"files", files},
          {"finished", finished},
          {"index", index},
          {"block", block},
          {"block_done", block_done},
          {"source_dirs", source_dirs}};
}

StoreState StoreState::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    if (j.at("version").get<int>() != kStoreVersion) {
      throw Error(where + ": store version " + j.at("version").dump() + " is not supported");
    }
    StoreState s;
    s.source = j.at("source").get<std::string>();
    s.mode = j.at("mode").get<std::string>();
    s.chunks = j.at("chunks").get<std::vector<uint64_t>>();
    s.codec = zarr::Codec::from_json(j.at("codec"), where);
    for (const auto& v : j.at("variables")) {
      s.variables.push_back(
          {v.at("name").get<std::string>(), ValueEncoding::from_json(v.at("encoding"))});
    }
    s.times = j.at("times").get<std::vector<int64_t>>();
    s.files = j.at("files").get<std::vector<std::string>>();
    s.finished = j.at("finished").get<bool>();
    s.index = j.value("index", "");
    s.block = j.value("block", "");
    s.block_done = j.value("block_done", std::vector<std::string>{});
    s.source_dirs = j.value("source_dirs", std::map<std::string, int64_t>{});
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed journal: " + e.what());
  }
}

SourceStamp SourceStamp::of(const StoreState& state) {
  return {state.source, state.index, state.source_dirs, state.files.size()};
}

nlohmann::json SourceStamp::to_json() const {
  return {{"version", kStoreVersion},
          {"source", source},
          {"index", index},
          {"source_dirs", source_dirs},
          {"files", files}};
}

SourceStamp SourceStamp::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    if (j.at("version").get<int>() != kStoreVersion) {
      throw Error(where + ": store version " + j.at("version").dump() + " is not supported");
    }
    return {j.at("source").get<std::string>(), j.at("index").get<std::string>(),
            j.at("source_dirs").get<std::map<std::string, int64_t>>(), j.at("files").get<size_t>()};
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed source stamp: " + e.what());
  }
}

std::map<std::string, int64_t> folder_mtimes(const std::string& source) {
  namespace fs = std::filesystem;
  std::map<std::string, int64_t> out;
  std::error_code ec;
  if (!fs::is_directory(source, ec)) return out;
  auto stamp = [&](const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
      out[dir.string()] = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
  };
  stamp(source);
  for (auto it = fs::recursive_directory_iterator(source, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) stamp(it->path());
  }
  return out;
}

bool folders_unchanged(const std::map<std::string, int64_t>& recorded) {
  if (recorded.empty()) return false;
  for (const auto& [dir, mtime] : recorded) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return false;
    if (static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec != mtime) {
      return false;
    }
  }
  return true;
}

bool StoreState::same_options(const StoreState& o) const {
  if (mode != o.mode || chunks != o.chunks || !(codec == o.codec) ||
      variables.size() != o.variables.size()) {
    return false;
  }
  for (size_t i = 0; i < variables.size(); ++i) {
    if (variables[i].name != o.variables[i].name) return false;
  }
  return true;
}

}  // namespace pixeldrill::store

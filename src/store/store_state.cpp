#include "store/store_state.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/error.h"
#include "core/utf8.h"

namespace pixeldrill::store {

namespace {

// Source paths are bytes; the journal is JSON (UTF-8): see core/utf8.h.
std::vector<std::string> encode_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(encode_path_for_json(p));
  return out;
}
std::vector<std::string> decode_paths(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const auto& t : texts) out.push_back(decode_path_from_json(t));
  return out;
}
template <typename V>
std::map<std::string, V> recode_keys(const std::map<std::string, V>& in,
                                     std::string (*recode)(const std::string&)) {
  std::map<std::string, V> out;
  for (const auto& [k, v] : in) out.emplace(recode(k), v);
  return out;
}

}  // namespace

nlohmann::json SkippedFile::to_json() const {
  nlohmann::json j = {{"path", encode_path_for_json(path)}, {"why", printable_utf8(why)}};
  j["time"] = time ? nlohmann::json(*time) : nlohmann::json();
  return j;
}

SkippedFile SkippedFile::from_json(const nlohmann::json& j) {
  SkippedFile f;
  f.path = decode_path_from_json(j.at("path").get<std::string>());
  if (j.contains("time") && !j.at("time").is_null()) f.time = j.at("time").get<int64_t>();
  f.why = j.at("why").get<std::string>();
  return f;
}

namespace {
nlohmann::json skipped_json(const std::vector<SkippedFile>& skipped) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : skipped) out.push_back(f.to_json());
  return out;
}
std::vector<SkippedFile> skipped_from(const nlohmann::json& j) {
  std::vector<SkippedFile> out;
  if (j.contains("skipped")) {
    for (const auto& f : j.at("skipped")) out.push_back(SkippedFile::from_json(f));
  }
  return out;
}
}  // namespace

nlohmann::json StoreState::to_json() const {
  nlohmann::json vars = nlohmann::json::array();
  for (const auto& v : variables)
    vars.push_back({{"name", v.name}, {"encoding", v.encoding.to_json()}});
  return {{"version", kStoreVersion},
          {"source", encode_path_for_json(source)},
          {"mode", mode},
          {"chunks", chunks},
          {"codec", codec.to_json()},
          {"variables", vars},
          {"times", times},
          {"files", encode_paths(files)},
          {"finished", finished},
          {"index", encode_path_for_json(index)},
          {"block", block},
          {"block_done", block_done},
          {"source_dirs", recode_keys(source_dirs, &encode_path_for_json)},
          {"chunk_manifest", chunk_manifest},
          {"layout", layout},
          {"skipped", skipped_json(skipped)}};
}

StoreState StoreState::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    if (j.at("version").get<int>() != kStoreVersion) {
      throw Error(where + ": store version " + j.at("version").dump() + " is not supported");
    }
    StoreState s;
    s.source = decode_path_from_json(j.at("source").get<std::string>());
    s.mode = j.at("mode").get<std::string>();
    s.chunks = j.at("chunks").get<std::vector<uint64_t>>();
    s.codec = zarr::Codec::from_json(j.at("codec"), where);
    for (const auto& v : j.at("variables")) {
      s.variables.push_back(
          {v.at("name").get<std::string>(), ValueEncoding::from_json(v.at("encoding"))});
    }
    s.times = j.at("times").get<std::vector<int64_t>>();
    s.files = decode_paths(j.at("files").get<std::vector<std::string>>());
    s.finished = j.at("finished").get<bool>();
    s.index = decode_path_from_json(j.value("index", ""));
    s.block = j.value("block", "");
    s.block_done = j.value("block_done", std::vector<std::string>{});
    s.source_dirs = recode_keys(j.value("source_dirs", std::map<std::string, int64_t>{}),
                                &decode_path_from_json);
    s.chunk_manifest = j.value("chunk_manifest", false);
    s.layout = j.value("layout", nlohmann::json());
    s.skipped = skipped_from(j);
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed journal: " + e.what());
  }
}

SourceStamp SourceStamp::of(const StoreState& state) {
  SourceStamp s;
  s.source = state.source;
  s.index = state.index;
  s.source_dirs = state.source_dirs;
  s.files = state.files.size();
  s.finished = state.finished;
  s.steps = state.times.size();
  s.chunk_manifest = state.chunk_manifest;
  s.layout = state.layout;
  s.skipped = state.skipped;
  return s;
}

nlohmann::json SourceStamp::to_json() const {
  return {{"version", kStoreVersion}, {"source", source},
          {"index", index},           {"source_dirs", source_dirs},
          {"files", files},           {"finished", finished},
          {"steps", steps},           {"chunk_manifest", chunk_manifest},
          {"layout", layout},         {"skipped", skipped_json(skipped)}};
}

SourceStamp SourceStamp::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    if (j.at("version").get<int>() != kStoreVersion) {
      throw Error(where + ": store version " + j.at("version").dump() + " is not supported");
    }
    SourceStamp s;
    s.source = j.at("source").get<std::string>();
    s.index = j.at("index").get<std::string>();
    s.source_dirs = j.at("source_dirs").get<std::map<std::string, int64_t>>();
    s.files = j.at("files").get<size_t>();
    // Stores written before these keys: as before (finished, no manifest).
    s.finished = j.value("finished", true);
    s.steps = j.value("steps", uint64_t{0});
    s.chunk_manifest = j.value("chunk_manifest", false);
    s.layout = j.value("layout", nlohmann::json());
    s.skipped = skipped_from(j);
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed source stamp: " + e.what());
  }
}

nlohmann::json store_layout(const nlohmann::json& zmetadata, const std::string& time_name) {
  nlohmann::json out = nlohmann::json::object();
  const auto& md = zmetadata.at("metadata");
  for (auto it = md.begin(); it != md.end(); ++it) {
    const std::string& key = it.key();
    if (!key.ends_with("/.zarray")) continue;
    nlohmann::json a = it.value();
    const std::string name = key.substr(0, key.size() - 8);
    // The time axis grows: its length is not layout.
    if (name == time_name || a.at("shape").size() == 3) a["shape"][0] = nullptr;
    out[name] = a;
  }
  return out;
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

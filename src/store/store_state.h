#pragma once
// What a pixeldrill store is, beyond the Zarr arrays: the options it was
// built with, how each variable is encoded, the source collection and which
// source files and time steps it already holds. Kept in
// STORE/.pixeldrill/journal.json, rewritten atomically after every completed
// time block, so a killed conversion resumes where the last block ended.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/zarr/codec.h"
#include "store/value_encoding.h"

namespace pixeldrill::store {

inline constexpr const char* kJournalKey = ".pixeldrill/journal.json";
inline constexpr const char* kScratchDir = ".pixeldrill/tmp";
inline constexpr int kStoreVersion = 1;

struct StoreVariable {
  std::string name;
  ValueEncoding encoding;
};

struct StoreState {
  std::string source;            // absolute path (or glob) of the source collection
  std::string index;             // the chunk index it was converted from, if any: newer days via it
  std::string mode;              // "exact" or "packed"
  std::vector<uint64_t> chunks;  // time, lat, lon
  zarr::Codec codec;
  std::vector<StoreVariable> variables;
  std::vector<int64_t> times;      // committed time steps, Unix seconds
  std::vector<std::string> files;  // source files whose steps are all committed
  // Modification times (ns) of the source folder and its subfolders when the
  // last conversion scanned it: unchanged folders hold no new files, so a
  // drill need not list them.
  std::map<std::string, int64_t> source_dirs;
  bool finished = false;  // the last run completed
  // The block in progress ("timechunk:existing+new") and its finished variables.
  std::string block;
  std::vector<std::string> block_done;

  nlohmann::json to_json() const;
  static StoreState from_json(const nlohmann::json& j, const std::string& where);
  // Same store options (everything but progress).
  bool same_options(const StoreState& other) const;
};

// What a drill needs to decide whether the source holds days newer than the
// store, without parsing the journal's list of every source file (1.2 MB for
// 30 years): STORE/.pixeldrill/sources.json, written with every journal. A
// drill reads the journal only when a source folder changed since.
inline constexpr const char* kSourcesKey = ".pixeldrill/sources.json";

struct SourceStamp {
  std::string source;
  std::string index;
  std::map<std::string, int64_t> source_dirs;
  size_t files = 0;  // how many source files the journal lists

  static SourceStamp of(const StoreState& state);
  nlohmann::json to_json() const;
  static SourceStamp from_json(const nlohmann::json& j, const std::string& where);
};

// Modification times of `source` (a folder) and every folder below it;
// empty for a glob or a single file.
std::map<std::string, int64_t> folder_mtimes(const std::string& source);
// True when every recorded folder still has its recorded time (so no file
// was added or removed under them since).
bool folders_unchanged(const std::map<std::string, int64_t>& recorded);

}  // namespace pixeldrill::store

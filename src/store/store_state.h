#pragma once
// What a pixeldrill store is, beyond the Zarr arrays: the options it was
// built with, how each variable is encoded, the source collection and which
// source files and time steps it already holds. Kept in
// STORE/.pixeldrill/journal.json, rewritten atomically after every completed
// time block, so a killed conversion resumes where the last block ended.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
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

// A source file the store does not hold (unreadable when scanned, or a chunk
// of it failed to decode while converting: its day is then all fill).
// Drills over its day report it.
struct SkippedFile {
  std::string path;
  std::optional<int64_t> time;  // Unix seconds, when known
  std::string why;
  bool operator==(const SkippedFile&) const = default;
  nlohmann::json to_json() const;
  static SkippedFile from_json(const nlohmann::json& j);
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
  // Written by a pixeldrill that keeps the chunk manifest (store/chunk_manifest.h)
  // for every chunk: a drill then verifies what it reads.
  bool chunk_manifest = false;
  // Each array's .zarray as written, with the time length left out: a drill
  // refuses metadata edited since (chunks, order, dtype, codec...).
  nlohmann::json layout;
  std::vector<SkippedFile> skipped;
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
  size_t files = 0;      // how many source files the journal lists
  bool finished = true;  // false while a conversion runs, or after one was killed
  uint64_t steps = 0;    // committed time steps
  bool chunk_manifest = false;
  nlohmann::json layout;
  std::vector<SkippedFile> skipped;

  static SourceStamp of(const StoreState& state);
  nlohmann::json to_json() const;
  static SourceStamp from_json(const nlohmann::json& j, const std::string& where);
};

// Modification times of `source` (a folder) and every folder below it;
// empty for a glob or a single file.
// `.zmetadata`'s arrays as the layout a store keeps (time length left out).
nlohmann::json store_layout(const nlohmann::json& zmetadata, const std::string& time_name);

std::map<std::string, int64_t> folder_mtimes(const std::string& source);
// True when every recorded folder still has its recorded time (so no file
// was added or removed under them since).
bool folders_unchanged(const std::map<std::string, int64_t>& recorded);

}  // namespace pixeldrill::store

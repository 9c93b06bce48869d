#pragma once
// The store backend's view of a store, read once per metadata version: the
// consolidated metadata checked against what the store was written with
// (sources.json: layout, committed steps, chunk manifest), the coordinates
// (verified against the chunk manifest) and the variables.
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalog/packing.h"
#include "drill/dataset.h"
#include "formats/zarr/array_meta.h"
#include "store/chunk_manifest.h"
#include "store/store_state.h"

namespace pixeldrill::drill {

struct StoreArray {
  zarr::ArrayMeta meta;
  nlohmann::json attrs;
  catalog::Packing packing;  // how a reader decodes the stored numbers (CF on Zarr)
};

// A stored number of type t as a double.
double load_number(const std::byte* p, catalog::StorageType t);

// Everything the store's consolidated metadata says, read once; swapped
// whole by refresh().
struct OpenedStore {
  std::string spec;
  std::string stamp;  // .zmetadata size and modification time
  std::string time_name;
  std::map<std::string, StoreArray> arrays;
  std::vector<std::string> data_vars;
  std::shared_ptr<DatasetInfo> info;
  // Whether the source can hold newer days (a few hundred bytes, read with
  // the metadata); the journal, which lists every source file, is read only
  // on the first query that finds a source folder changed.
  std::optional<store::SourceStamp> sources;
  // Written with a chunk manifest: every chunk read is checked against it.
  bool verify = false;
  // The manifest records drills of this version have read (a server's
  // queries read each row once), the first blocks of the chunks they read
  // (each point in a chunk reads it) and the chunk files, kept open.
  mutable store::ReadCaches caches;
  mutable std::once_flag journal_once;
  mutable std::optional<store::StoreState> journal;
  mutable std::optional<std::string> journal_problem;
};

// The store's version stamp (.zmetadata size and modification time).
std::string zmetadata_stamp(const std::string& spec, int64_t* mtime = nullptr);

// Reads and checks a store's metadata; Error (kCorrupt) naming what is damaged.
std::shared_ptr<const OpenedStore> load_store(const std::string& spec);
// The same, or nullptr when `spec` holds no pixeldrill store (neither
// .zmetadata nor .zattrs say so): the remote open, which finds out from the
// metadata it reads anyway instead of asking for .zattrs first.
std::shared_ptr<const OpenedStore> load_store(const std::string& spec, bool probe);

}  // namespace pixeldrill::drill

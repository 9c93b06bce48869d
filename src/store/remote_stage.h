#pragma once
// Converting into a store on S3. S3 has no lock, no append and no rename, so
// what the converter keeps in the store folder locally (its lock and spool
// files) lives in a local work folder instead, and each block's chunks are
// written there first (staged) and then published to the store:
//   1. when the row's chunk objects are being replaced (an append to a
//      part-filled time chunk, or a block a killed run had started), the row's
//      .pending manifest, so readers verify either version meanwhile;
//   2. the chunk objects, many uploads in flight;
//   3. the row's chunk manifest;
// and after every variable of the block, the time chunk, then .zarray /
// .zmetadata with the new length, then the journal (the commit record) last,
// in the same order as a local conversion. Every object is one PUT, which S3
// makes visible whole, so a run killed at any instant leaves the store as
// before the block plus chunk objects no committed step refers to, and the
// next run redoes the block with the same bytes.
#include <cstdint>
#include <filesystem>
#include <string>

#include "formats/zarr/array_meta.h"
#include "formats/zarr/directory.h"
#include "store/chunk_manifest.h"

namespace pixeldrill::store {

// The local work folder of a conversion into `store`: `work_dir` when given,
// else $XDG_CACHE_HOME (or ~/.cache)/pixeldrill/convert/<store URI as a name>.
std::filesystem::path default_work_folder(const std::string& store, const std::string& work_dir);

// True when `store` (an S3 prefix) holds objects that are not a pixeldrill
// store's: someone else's data, which convert must not write into.
bool remote_holds_other_objects(const std::string& store);

class RemoteStaging {
 public:
  // Throws a bad-request Error unless `store` is an s3:// URI; creates the
  // work folder and removes what a killed run staged there.
  RemoteStaging(const std::string& store, const std::string& work_dir);

  const std::filesystem::path& work() const { return work_; }
  std::filesystem::path scratch() const { return work_ / "tmp"; }
  // Where the rechunker writes a block's chunks.
  const zarr::Directory& stage() const { return stage_; }

  // Publishes the chunks of `array`'s chunk row `row` staged by the
  // rechunker (steps 1-3 above) and removes them from the stage. `replacing`:
  // the store may already hold chunk objects of this row.
  void publish(const zarr::Directory& store, const std::string& array, const zarr::ArrayMeta& meta,
               uint64_t row, ChunkManifestWriter& manifest, bool replacing);

  uint64_t objects_uploaded() const { return uploaded_; }
  uint64_t bytes_uploaded() const { return bytes_; }

 private:
  std::filesystem::path work_;
  zarr::Directory stage_;
  uint64_t uploaded_ = 0, bytes_ = 0;
};

}  // namespace pixeldrill::store

#pragma once
// Steps of `convert` (store/converter.h) kept out of converter.cpp: they hold
// no state of a run. Internal to store/.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "formats/zarr/directory.h"
#include "store/collection_scan.h"
#include "store/store_state.h"
#include "store/value_encoding.h"

namespace pixeldrill::store::convert_detail {

// How `var` is stored: integers as they are, packed (--mode packed) or float32.
ValueEncoding choose_encoding(const Collection& c, const std::string& var, const std::string& mode);
std::string join(const std::vector<uint64_t>& v);

// PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=N (tests only): the chunk count after
// which the process dies; 0 for never. crash_applies(rank): whether this rank
// takes it (PIXELDRILL_TEST_CRASH_RANK).
long crash_after_chunks();
bool crash_applies(int rank);
// PIXELDRILL_TEST_HOLD_LOCK (tests only): waits while the lock is held.
void hold_lock_for_test();

// A file the store does not hold, recorded once by path.
void record_skipped(StoreState& state, SkippedFile f);
void write_journal(const zarr::Directory& dir, const StoreState& state);
// Anything but pixeldrill's own folder under `root`.
bool holds_other_files(const std::filesystem::path& root);

// The time blocks still to write: each fills (part of) one time-chunk row and
// is the unit of work of a rank. The same on every rank and every rerun.
struct Block {
  size_t pos = 0;  // first step in `todo`
  uint64_t tc = 0, existing = 0, take = 0;
  std::string id;  // "timechunk:existing+new:first..last"
};
std::vector<Block> plan_blocks(uint64_t committed, uint64_t ct,
                               const std::vector<SourceStep>& todo);

// Under MPI a rank marks each block it finished (all variables and the time
// chunk in place) with an empty file, so rerunning a job one of whose ranks
// died skips them; rank 0 removes the markers when it writes the final journal.
inline constexpr const char* kBlockMarkersDir = ".pixeldrill/blocks";
std::filesystem::path block_marker(const std::filesystem::path& root, const Block& b);

}  // namespace pixeldrill::store::convert_detail

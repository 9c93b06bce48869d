// The pieces of `convert` (converter.cpp) that need no state of a run: the
// value encoding of a variable, the journal, the time blocks and their MPI
// markers, and the test hooks.
#include "store/convert_steps.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <tuple>

#include "core/error.h"
#include "store/chunk_reader.h"

namespace pixeldrill::store::convert_detail {
namespace fs = std::filesystem;

ValueEncoding choose_encoding(const Collection& c, const std::string& var,
                              const std::string& mode) {
  std::vector<const catalog::FileMetadata*> holders;
  for (const auto& f : c.files) {
    if (f.variables.count(var)) holders.push_back(&f);
  }
  if (holders.empty()) {
    std::string known;
    for (const auto& [name, info] : c.files.front().variables)
      known += (known.empty() ? "" : ", ") + name;
    throw Error("--vars: no file of " + c.spec + " has variable '" + var +
                "' (variables: " + known + ")");
  }
  const auto& p0 = holders.front()->variables.at(var).packing;
  bool scaled = false, same_scale = true;
  double lo_off = INFINITY, hi_off = -INFINITY;
  for (const auto* f : holders) {
    const auto& p = f->variables.at(var).packing;
    scaled = scaled || p.scale_factor || p.add_offset;
    same_scale = same_scale && p.type == p0.type && p.scale_factor == p0.scale_factor;
    lo_off = std::min(lo_off, p.add_offset.value_or(0.0));
    hi_off = std::max(hi_off, p.add_offset.value_or(0.0));
  }
  ValueEncoding e;
  if (!scaled && is_integer(p0.type)) {
    e.kind = ValueEncoding::Kind::kInteger;
    e.type = p0.type;
    e.fill = p0.fill_value.value_or(p0.missing_value.value_or(type_min(p0.type)));
    return e;
  }
  if (mode == "packed" && scaled && is_integer(p0.type) && same_scale &&
      p0.type != catalog::StorageType::kInt64 && p0.type != catalog::StorageType::kUInt64) {
    e.kind = ValueEncoding::Kind::kPacked;
    e.type = p0.type;
    e.scale = p0.scale_factor.value_or(1.0);
    e.fill = type_min(p0.type);
    // Centre the stored range on the source's valid range (over all files'
    // offsets), keeping offset - each file's offset a whole number of quanta.
    const auto sv = c.variable(holders.front()->path, var);
    const double vmin = sv.valid_min.value_or(type_min(p0.type) + 1);
    const double vmax = sv.valid_max.value_or(type_max(p0.type));
    const double lo = vmin * e.scale + lo_off, hi = vmax * e.scale + hi_off;
    const double base = p0.add_offset.value_or(0.0);
    const double mid = (type_min(p0.type) + 1 + type_max(p0.type)) / 2 * e.scale;
    e.offset = base + std::round(((lo + hi) / 2 - mid - base) / e.scale) * e.scale;
    return e;
  }
  e.kind = ValueEncoding::Kind::kFloat;
  e.type = catalog::StorageType::kFloat32;
  return e;
}

std::string join(const std::vector<uint64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=N: the process dies (as by kill -9,
// without cleanup) right after writing its Nth chunk file. Tests only.
long crash_after_chunks() {
  const char* env = std::getenv("PIXELDRILL_TEST_CRASH_AFTER_CHUNKS");
  return env ? std::atol(env) : 0;
}

// PIXELDRILL_TEST_HOLD_LOCK=PATH: after taking the store lock, create PATH
// and wait (bounded) until it is removed, so a test can run a second writer
// against a conversion that certainly holds the lock. Tests only.
void hold_lock_for_test() {
  const char* path = std::getenv("PIXELDRILL_TEST_HOLD_LOCK");
  if (!path) return;
  { std::ofstream(path) << "held\n"; }
  for (int i = 0; i < 6000 && fs::exists(path); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// A file the store does not hold, recorded once by path and day. Kept in
// (time, path) order, and of two reasons for the same day the first in
// byte order: threads and ranks find them in any order, and the journal must
// not depend on which came first (the same bytes whatever the number of ranks).
void record_skipped(StoreState& state, SkippedFile f) {
  if (f.why.starts_with(f.path + ": ")) f.why.erase(0, f.path.size() + 2);
  f.path = recorded_path(f.path);
  for (auto& s : state.skipped) {
    if (s.path == f.path && s.time == f.time) {
      if (f.why < s.why) s.why = std::move(f.why);
      return;
    }
  }
  const auto at = std::upper_bound(state.skipped.begin(), state.skipped.end(), f,
                                   [](const SkippedFile& a, const SkippedFile& b) {
                                     return std::tie(a.time, a.path) < std::tie(b.time, b.path);
                                   });
  state.skipped.insert(at, std::move(f));
}

void write_journal(const zarr::Directory& dir, const StoreState& state) {
  dir.write_json(kJournalKey, state.to_json());
  // After the journal: a stale stamp only sends a drill to the journal.
  dir.write_json(kSourcesKey, SourceStamp::of(state).to_json());
}

// Anything but pixeldrill's own folder (a lock or scratch files left by a run
// that stopped before its first journal) means the folder is someone else's.
bool holds_other_files(const fs::path& root) {
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != ".pixeldrill") return true;
  }
  return false;
}

std::vector<Block> plan_blocks(uint64_t committed, uint64_t ct,
                               const std::vector<SourceStep>& todo) {
  std::vector<Block> blocks;
  for (size_t pos = 0, k = committed; pos < todo.size();) {
    Block b;
    b.pos = pos;
    b.tc = k / ct;
    b.existing = k % ct;
    b.take = std::min<uint64_t>(ct - b.existing, todo.size() - pos);
    b.id = std::to_string(b.tc) + ":" + std::to_string(b.existing) + "+" + std::to_string(b.take) +
           ":" + std::to_string(todo[pos].time) + ".." +
           std::to_string(todo[pos + b.take - 1].time);
    blocks.push_back(b);
    pos += b.take;
    k += b.take;
  }
  return blocks;
}

fs::path block_marker(const fs::path& root, const Block& b) {
  std::string name = b.id;
  std::replace(name.begin(), name.end(), ':', '_');
  return root / kBlockMarkersDir / name;
}

// PIXELDRILL_TEST_CRASH_RANK=R: only rank R takes PIXELDRILL_TEST_CRASH_AFTER_CHUNKS.
bool crash_applies(int rank) {
  const char* env = std::getenv("PIXELDRILL_TEST_CRASH_RANK");
  return !env || std::atoi(env) == rank;
}
}  // namespace pixeldrill::store::convert_detail

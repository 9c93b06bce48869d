#include "store/converter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "catalog/collection.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "formats/zarr/chunk_io.h"
#include "parallel/collective.h"
#include "store/chunk_reader.h"
#include "store/collection_scan.h"
#include "store/rechunker.h"
#include "store/store_lock.h"
#include "store/store_metadata.h"
#include "store/store_state.h"
#include "store/time_chunk.h"

namespace pixeldrill::store {
namespace fs = std::filesystem;
namespace {

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
    const auto sv = read_source_variable(holders.front()->path, var);
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

void write_journal(const zarr::Directory& dir, const StoreState& state) {
  dir.write_json(kJournalKey, state.to_json());
  // After the journal: a stale stamp only sends a drill to the journal.
  dir.write_json(kSourcesKey, SourceStamp::of(state).to_json());
}

}  // namespace

size_t parse_size(const std::string& text) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw BadRequest("--max-mem: '" + text + "' is not a size (e.g. 2G, 512M)");
  }
  std::string unit = text.substr(pos);
  for (const char* suffix : {"iB", "B"}) {
    if (unit.size() > std::strlen(suffix) && unit.ends_with(suffix)) {
      unit.resize(unit.size() - std::strlen(suffix));
      break;
    }
  }
  double mult = 1;
  if (unit == "K" || unit == "k")
    mult = 1024.0;
  else if (unit == "M" || unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "t")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty() && unit != "B")
    throw BadRequest("--max-mem: unknown unit in '" + text + "'");
  if (!(value > 0)) throw BadRequest("--max-mem: '" + text + "' must be positive");
  return static_cast<size_t>(value * mult);
}

namespace {
// Anything but pixeldrill's own folder (a lock or scratch files left by a run
// that stopped before its first journal) means the folder is someone else's.
bool holds_other_files(const fs::path& root) {
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != ".pixeldrill") return true;
  }
  return false;
}
}  // namespace

namespace {

// The time blocks still to write: each fills (part of) one time-chunk row and
// is the unit of work of a rank. The same on every rank and every rerun.
struct Block {
  size_t pos = 0;  // first step in `todo`
  uint64_t tc = 0, existing = 0, take = 0;
  std::string id;  // "timechunk:existing+new:first..last"
};

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

// Under MPI a rank marks each block it finished (all variables and the time
// chunk in place) with an empty file, so rerunning a job one of whose ranks
// died skips them; rank 0 removes the markers when it writes the final journal.
inline constexpr const char* kBlockMarkersDir = ".pixeldrill/blocks";

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

}  // namespace

ConvertReport convert(const ConvertOptions& opt, parallel::Communicator* comm) {
  const auto started = std::chrono::steady_clock::now();
  ConvertReport report;
  parallel::SingleProcess single;
  parallel::Communicator& world = comm ? *comm : single;
  const int ranks = world.size(), rank = world.rank();
  const unsigned threads = opt.threads ? opt.threads : default_threads();
  const fs::path root = opt.store;
  // Ranks other than 0 write chunk files only, with their own scratch folder.
  const fs::path scratch =
      rank == 0 ? root / kScratchDir : root / kScratchDir / ("rank-" + std::to_string(rank));
  const zarr::Directory dir(root, scratch);
  std::map<std::string, int64_t> source_dirs;
  Collection c;
  StoreState state;
  std::vector<SourceStep> todo;
  std::optional<StoreLock> lock;
  bool up_to_date = false;
  // Rank 0 checks the request, takes the lock, reads or starts the journal and
  // writes the shared metadata; then every rank learns the store's state.
  parallel::collective_step(world, [&] {
    std::vector<uint64_t> chunks = opt.chunks;
    if (opt.mode != "exact" && opt.mode != "packed") {
      throw Error("--mode: '" + opt.mode + "' is not exact or packed");
    }
    if (chunks.empty()) chunks = {0, kDefaultChunkY, kDefaultChunkX};
    if (chunks.size() != 3 || std::find(chunks.begin() + 1, chunks.end(), 0) != chunks.end()) {
      throw Error("--chunks: expected three positive lengths t,y,x, got " + join(chunks));
    }
    if (opt.reader != "direct" && opt.reader != "netcdf") {
      throw Error("--reader: '" + opt.reader + "' is not direct or netcdf");
    }
    const bool default_time_chunk = chunks[0] == 0 && opt.time_chunk.empty();
    const TimeChunk time_chunk =
        parse_time_chunk(opt.time_chunk.empty() ? kDefaultTimeChunk : opt.time_chunk);
    if (opt.vars.empty()) throw Error("--vars: no variables given");

    // Taken before the scan, so files added while converting change a time.
    source_dirs = folder_mtimes(fs::absolute(opt.source).lexically_normal().string());
    c = scan_collection(opt.source, opt.duplicates);
    report.problems = c.problems;
    if (rank != 0) return;

    if (chunks[0] == 0) {
      std::vector<int64_t> times;
      for (const auto& s : c.steps) times.push_back(s.time);
      chunks[0] = resolve_time_chunk(time_chunk, times);
    }
    StoreState wanted;
    wanted.source = c.source;
    wanted.index = c.index;
    wanted.mode = opt.mode;
    wanted.chunks = chunks;
    wanted.codec = zarr::Codec::parse(opt.codec);
    if (wanted.codec.kind == zarr::Codec::Kind::kBlosc && wanted.codec.blocksize == 0) {
      // Small blosc blocks: a pixel drill decodes only the block(s) holding its
      // series (see docs/store.md for the size / latency trade-off).
      wanted.codec.blocksize = opt.blosc_blocksize;
    }
    for (const auto& v : opt.vars) wanted.variables.push_back({v, choose_encoding(c, v, opt.mode)});

    if (!dir.exists(kJournalKey) && holds_other_files(root)) {
      throw Error(opt.store + ": exists and is not a pixeldrill store; choose a new folder");
    }
    // Held until the conversion returns; the journal is read under it.
    lock.emplace(root);
    const bool exists = dir.exists(kJournalKey);
    if (exists) {
      state = StoreState::from_json(dir.read_json(kJournalKey), dir.path(kJournalKey).string());
      // Without --chunks, resuming or appending keeps the store's time chunk
      // (new files may change the measured cadence slightly).
      if (default_time_chunk && !state.chunks.empty()) wanted.chunks[0] = state.chunks[0];
      if (!state.same_options(wanted)) {
        throw Error(opt.store + ": store was built with --mode " + state.mode + " --chunks " +
                    join(state.chunks) + " --codec " + state.codec.to_json().dump() +
                    " and other variables; run with the same options or convert to a new store");
      }
    } else {
      state = wanted;
    }
    dir.clear_temporaries();

    // Steps to add: everything newer than the store's end.
    for (const auto& s : c.steps) {
      if (state.times.empty() || s.time > state.times.back()) {
        todo.push_back(s);
      } else if (!std::binary_search(state.times.begin(), state.times.end(), s.time)) {
        report.problems.push_back(c.files[s.file].path +
                                  ": time step is older than the store's end and not in it; "
                                  "not added (convert into a new store to include it)");
      }
    }
    if (exists && state.finished && !todo.empty() && !opt.append) {
      throw Error(opt.store + ": store is complete; " + std::to_string(todo.size()) +
                  " newer time steps found: add them with --append");
    }
    if (todo.empty()) {
      if (!state.finished) {
        state.finished = true;
        write_journal(dir, state);
      }
      up_to_date = true;
      return;
    }
    // The journal goes first, so a run killed while writing the metadata is
    // still recognised (and finished) by the next one.
    if (!exists) fs::create_directories(root);
    state.finished = false;
    if (!c.index.empty()) state.index = c.index;
    write_journal(dir, state);
    if (state.times.empty()) create_store_metadata(dir, c, state);
  });
  if (ranks > 1) {
    // The other ranks take rank 0's state and find the same steps to add.
    parallel::collective_step(world, [&] {
      std::string shared = up_to_date ? "" : state.to_json().dump();
      world.broadcast(shared, 0);
      if (shared.empty()) up_to_date = true;
      if (rank == 0 || up_to_date) return;
      state = StoreState::from_json(nlohmann::json::parse(shared), "journal from rank 0");
      for (const auto& s : c.steps) {
        if (state.times.empty() || s.time > state.times.back()) todo.push_back(s);
      }
    });
  }
  if (up_to_date) {
    report.steps_total = state.times.size();
    report.summary =
        opt.store + ": up to date (" + std::to_string(state.times.size()) + " time steps)";
    return report;
  }

  const std::string time_name = time_array_name(dir);
  zarr::ArrayMeta time_meta = variable_meta(dir, time_name);
  std::vector<zarr::ArrayMeta> metas;
  for (const auto& v : state.variables) metas.push_back(variable_meta(dir, v.name));
  const size_t ny = metas.front().shape[1], nx = metas.front().shape[2];
  const uint64_t ct = state.chunks[0];
  const std::vector<Block> blocks = plan_blocks(state.times.size(), ct, todo);

  const long crash_after = crash_applies(rank) ? crash_after_chunks() : 0;
  long chunk_files = 0;
  auto on_chunk = [&] {
    if (crash_after > 0 && ++chunk_files == crash_after) std::_Exit(137);
  };
  Progress progress("convert", todo.size() * state.variables.size() * ny, ranks);
  if (!opt.progress || rank != 0) progress.finish();
  std::set<std::string> files(state.files.begin(), state.files.end());

  const bool direct = opt.reader == "direct";
  ChunkReader chunks_direct(c.files.size());
  // Writes every variable's chunks of one block, then its time chunk;
  // variable_done(name, last) follows each variable.
  using VariableDone = std::function<void(const std::string&, bool)>;
  auto write_block = [&](const Block& b, const VariableDone& variable_done) {
    for (size_t v = 0; v < state.variables.size(); ++v) {
      const auto& var = state.variables[v];
      if (std::find(state.block_done.begin(), state.block_done.end(), var.name) !=
          state.block_done.end()) {
        continue;
      }
      BlockSpec spec;
      spec.array = var.name;
      spec.meta = metas[v];
      spec.encoding = var.encoding;
      spec.time_chunk = b.tc;
      spec.existing = b.existing;
      spec.new_steps = b.take;
      const auto& first = c.files[todo[b.pos].file];
      const auto it = first.variables.find(var.name);
      spec.band_rows = (it != first.variables.end() && it->second.chunks.size() == 3)
                           ? it->second.chunks[1]
                           : std::min<size_t>(ny, 512);
      spec.max_mem = opt.max_mem;
      spec.threads = threads;
      spec.scratch = scratch;
      const auto stats = rechunk_block(
          dir, spec,
          [&](size_t s, size_t r0, size_t r1, std::byte* out) {
            const auto& step = todo[b.pos + s];
            if (direct) {
              chunks_direct.read_rows(step.file, c.files[step.file], var.name, step.index, r0, r1,
                                      var.encoding, out);
            } else {
              read_rows(c.files[step.file], var.name, step.index, r0, r1, var.encoding, out);
            }
          },
          on_chunk, [&](size_t step_rows) { progress.tick(step_rows); });
      report.chunks_written += stats.chunks_written;
      report.bytes_written += stats.bytes_written;
      report.sub_blocks += stats.sub_blocks;
      if (stats.sub_blocks > 1) ++report.spooled_blocks;
      report.raw_bytes += b.take * ny * nx * var.encoding.item_size();
      variable_done(var.name, v + 1 == state.variables.size());
    }
    // The time coordinate's chunk for this block.
    std::vector<int64_t> tv(ct, 0);
    for (uint64_t i = 0; i < b.existing; ++i) tv[i] = state.times[b.tc * ct + i] - kTimeEpochUnix;
    for (uint64_t i = 0; i < b.take; ++i)
      tv[b.existing + i] = todo[b.pos + i].time - kTimeEpochUnix;
    zarr::write_chunk(dir, time_name, time_meta, {b.tc}, std::as_bytes(std::span(tv)));
  };
  // Files all of whose steps are now in the store.
  auto commit_times = [&](size_t from, size_t count) {
    for (size_t i = 0; i < count; ++i) state.times.push_back(todo[from + i].time);
    for (const auto& f : c.files) {
      if (!f.times.empty() &&
          *std::max_element(f.times.begin(), f.times.end()) <= state.times.back()) {
        files.insert(fs::absolute(f.path).lexically_normal().string());
      }
    }
    state.files.assign(files.begin(), files.end());
    if (c.index.empty()) state.source_dirs = source_dirs;
    state.block.clear();
    state.block_done.clear();
    set_time_length(dir, state, state.times.size());
  };
  if (ranks == 1) {
    for (const Block& b : blocks) {
      // Variables of this block a killed run already finished (same block,
      // same days): their chunks are in place; skip them.
      if (state.block != b.id) {
        state.block = b.id;
        state.block_done.clear();
      }
      write_block(b, [&](const std::string& name, bool last) {
        state.block_done.push_back(name);
        if (!last) write_journal(dir, state);
      });
      commit_times(b.pos, b.take);
      if (&b == &blocks.back()) state.finished = true;
      write_journal(dir, state);
    }
  } else {
    // Whole blocks round-robin over the ranks (each owns its time chunks);
    // rank 0 commits them all to the journal at the end.
    state.block.clear();
    state.block_done.clear();
    parallel::collective_step(world, [&] {
      for (size_t k = static_cast<size_t>(rank); k < blocks.size();
           k += static_cast<size_t>(ranks)) {
        const fs::path marker = block_marker(root, blocks[k]);
        if (fs::exists(marker)) continue;
        write_block(blocks[k], [](const std::string&, bool) {});
        fs::create_directories(marker.parent_path());
        std::ofstream out(marker);
        if (!out.good()) throw Error(marker.string() + ": cannot write the block marker");
      }
    });
    std::vector<std::string> figures;
    parallel::collective_step(world, [&] {
      const uint64_t mine[] = {report.chunks_written, report.bytes_written, report.sub_blocks,
                               report.spooled_blocks, report.raw_bytes};
      figures = world.gather(std::string(reinterpret_cast<const char*>(mine), sizeof mine), 0);
    });
    if (rank != 0) return report;
    report.chunks_written = report.bytes_written = report.sub_blocks = report.spooled_blocks =
        report.raw_bytes = 0;
    for (const auto& f : figures) {
      uint64_t v[5] = {};
      if (f.size() != sizeof v) throw Error("convert: figures from another rank are damaged");
      std::memcpy(v, f.data(), sizeof v);
      report.chunks_written += v[0];
      report.bytes_written += v[1];
      report.sub_blocks += v[2];
      report.spooled_blocks += v[3];
      report.raw_bytes += v[4];
    }
    commit_times(0, todo.size());
    state.finished = true;
    write_journal(dir, state);
  }
  progress.finish();
  dir.clear_temporaries();
  std::error_code ec;
  fs::remove_all(root / kBlockMarkersDir, ec);
  report.steps_added = todo.size();
  report.steps_total = state.times.size();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: added %llu time steps (now %llu) in %.2f s: %.1f steps/s, %.1f MB/s of "
                "values, %llu chunk files, %.1f MB written",
                opt.store.c_str(), static_cast<unsigned long long>(report.steps_added),
                static_cast<unsigned long long>(report.steps_total), report.seconds,
                report.steps_added / std::max(report.seconds, 1e-9),
                report.raw_bytes / 1e6 / std::max(report.seconds, 1e-9),
                static_cast<unsigned long long>(report.chunks_written), report.bytes_written / 1e6);
  report.summary = line;
  if (report.spooled_blocks > 0) {
    report.summary += "; --max-mem made " + std::to_string(report.spooled_blocks) +
                      " blocks spool partial chunks (" + std::to_string(report.sub_blocks) +
                      " sub-blocks)";
  }
  return report;
}

}  // namespace pixeldrill::store

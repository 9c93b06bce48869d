#include "store/converter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "catalog/collection.h"
#include "catalog/file_name_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "formats/zarr/chunk_io.h"
#include "io/registry.h"
#include "store/chunk_manifest.h"
#include "store/chunk_reader.h"
#include "store/collection_scan.h"
#include "store/rechunker.h"
#include "store/remote_stage.h"
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

// A file the store does not hold, recorded once by path.
void record_skipped(StoreState& state, SkippedFile f) {
  if (f.why.starts_with(f.path + ": ")) f.why.erase(0, f.path.size() + 2);
  const std::string key = fs::absolute(f.path).lexically_normal().string();
  for (const auto& s : state.skipped) {
    if (s.path == key && s.time == f.time) return;
  }
  f.path = key;
  state.skipped.push_back(std::move(f));
}

void write_journal(const zarr::Directory& dir, const StoreState& state) {
  dir.write_json(kJournalKey, state.to_json());
  // After the journal: a stale stamp only sends a drill to the journal.
  dir.write_json(kSourcesKey, SourceStamp::of(state).to_json());
}

}  // namespace

size_t parse_size(const std::string& text, const std::string& option) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw BadRequest(option + ": '" + text + "' is not a size (e.g. 2G, 512M)");
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
    throw BadRequest(option + ": unknown unit in '" + text + "'");
  if (!(value > 0)) throw BadRequest(option + ": '" + text + "' must be positive");
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

ConvertReport convert(const ConvertOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  ConvertReport report;
  const unsigned threads = opt.threads ? opt.threads : default_threads();
  if (opt.mode != "exact" && opt.mode != "packed") {
    throw Error("--mode: '" + opt.mode + "' is not exact or packed");
  }
  std::vector<uint64_t> chunks = opt.chunks;
  if (chunks.empty()) chunks = {0, kDefaultChunkY, kDefaultChunkX};
  if (chunks.size() != 3 || std::find(chunks.begin() + 1, chunks.end(), 0) != chunks.end()) {
    throw Error("--chunks: expected three positive lengths t,y,x, got " + join(chunks));
  }
  const bool default_time_chunk = chunks[0] == 0 && opt.time_chunk.empty();
  const TimeChunk time_chunk =
      parse_time_chunk(opt.time_chunk.empty() ? kDefaultTimeChunk : opt.time_chunk);
  if (opt.vars.empty()) throw Error("--vars: no variables given");

  // Taken before the scan, so files added while converting change a time.
  const auto source_dirs = folder_mtimes(fs::absolute(opt.source).lexically_normal().string());
  Collection c = scan_collection(opt.source, opt.duplicates);
  report.problems = c.problems;
  const fs::path root = opt.store;
  // A store on S3: lock, spool and staged chunks in a local work folder
  // (store/remote_stage.h); locally they live in the store's own folder.
  const bool remote = io::is_remote(opt.store);
  std::optional<RemoteStaging> staging;
  if (remote) staging.emplace(opt.store, opt.work_dir);
  const zarr::Directory dir(root.string(), remote ? "" : (root / kScratchDir).string());
  const fs::path scratch = remote ? staging->scratch() : root / kScratchDir;

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

  if (!dir.exists(kJournalKey) &&
      (remote ? remote_holds_other_objects(opt.store) : holds_other_files(root))) {
    throw Error(opt.store + ": exists and is not a pixeldrill store; choose a new folder");
  }
  // Held until the conversion returns; the journal is read under it. On S3
  // it guards against a second convert of the same store from this machine
  // (same work folder) only: S3 has no lock.
  const StoreLock lock(remote ? staging->work() : root);
  hold_lock_for_test();
  StoreState state;
  const bool exists = dir.exists(kJournalKey);
  if (exists) {
    state = StoreState::from_json(dir.read_json(kJournalKey), dir.uri(kJournalKey));
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
    // Made by this version: every chunk it writes goes into the manifest.
    state.chunk_manifest = true;
  }
  if (remote && !state.chunk_manifest) {
    throw Error(opt.store +
                ": this store has no chunk manifest (made by an older pixeldrill); "
                "convert into a new S3 prefix");
  }
  dir.clear_temporaries();
  for (const auto& [path, why] : c.unreadable) {
    record_skipped(state, {path, catalog::time_from_file_name(path), why});
  }

  // Steps to add: everything newer than the store's end.
  std::vector<SourceStep> todo;
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
    report.steps_total = state.times.size();
    report.summary =
        opt.store + ": up to date (" + std::to_string(state.times.size()) + " time steps)";
    return report;
  }
  // The journal goes first, so a run killed while writing the metadata is
  // still recognised (and finished) by the next one.
  if (!exists && !remote) fs::create_directories(root);
  state.finished = false;
  if (!c.index.empty()) state.index = c.index;
  write_journal(dir, state);
  if (state.times.empty()) create_store_metadata(dir, c, state);
  const std::string time_name = time_array_name(dir);
  if (state.chunk_manifest && state.layout.is_null()) {
    state.layout = store_layout(dir.read_json(".zmetadata"), time_name);
    write_journal(dir, state);
  }

  zarr::ArrayMeta time_meta = variable_meta(dir, time_name);
  std::vector<zarr::ArrayMeta> metas;
  for (const auto& v : state.variables) metas.push_back(variable_meta(dir, v.name));
  const size_t ny = metas.front().shape[1], nx = metas.front().shape[2];
  const uint64_t ct = state.chunks[0];

  const long crash_after = crash_after_chunks();
  long chunk_files = 0;
  auto on_chunk = [&] {
    if (crash_after > 0 && ++chunk_files == crash_after) std::_Exit(137);
  };
  Progress progress("convert", todo.size() * state.variables.size() * ny);
  std::set<std::string> files(state.files.begin(), state.files.end());

  if (opt.reader != "direct" && opt.reader != "netcdf") {
    throw Error("--reader: '" + opt.reader + "' is not direct or netcdf");
  }
  const bool direct = opt.reader == "direct";
  ChunkReader chunks_direct(c.files.size());
  std::mutex skipped_mutex;
  size_t pos = 0;
  while (pos < todo.size()) {
    const uint64_t k = state.times.size();
    const uint64_t tc = k / ct, existing = k % ct;
    const uint64_t take = std::min<uint64_t>(ct - existing, todo.size() - pos);
    // Variables of this block a killed run already finished (same block, same
    // days): their chunks are in place; skip them.
    const std::string block_id = std::to_string(tc) + ":" + std::to_string(existing) + "+" +
                                 std::to_string(take) + ":" + std::to_string(todo[pos].time) +
                                 ".." + std::to_string(todo[pos + take - 1].time);
    // A block a killed run had started may have left chunk objects behind.
    const bool replacing = existing > 0 || state.block == block_id;
    if (state.block != block_id) {
      state.block = block_id;
      state.block_done.clear();
    }
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
      spec.time_chunk = tc;
      spec.existing = existing;
      spec.new_steps = take;
      const auto& first = c.files[todo[pos].file];
      const auto it = first.variables.find(var.name);
      spec.band_rows = (it != first.variables.end() && it->second.chunks.size() == 3)
                           ? it->second.chunks[1]
                           : std::min<size_t>(ny, 512);
      spec.max_mem = opt.max_mem;
      spec.threads = threads;
      spec.scratch = scratch;
      if (remote) spec.output = &staging->stage();
      std::optional<ChunkManifestWriter> manifest;
      if (state.chunk_manifest) {
        const uint64_t rows = (ny + spec.meta.chunks[1] - 1) / spec.meta.chunks[1];
        const uint64_t cols = (nx + spec.meta.chunks[2] - 1) / spec.meta.chunks[2];
        manifest.emplace(dir, var.name, tc, rows * cols);
        spec.manifest = &*manifest;
      }
      const auto fill = zarr::fill_bytes(spec.meta);
      const auto stats = rechunk_block(
          dir, spec,
          [&](size_t s, size_t r0, size_t r1, std::byte* out) {
            const auto& step = todo[pos + s];
            try {
              if (direct) {
                chunks_direct.read_rows(step.file, c.files[step.file], var.name, step.index, r0, r1,
                                        var.encoding, out);
              } else {
                read_rows(c.files[step.file], var.name, step.index, r0, r1, var.encoding, out);
              }
            } catch (const Error& e) {
              // A damaged chunk in one file does not stop the conversion:
              // its day is stored as fill and the file recorded as skipped
              // (drills over that day report it), as an unreadable file is.
              const size_t items = (r1 - r0) * nx;
              for (size_t i = 0; i < items; ++i) {
                std::memcpy(out + i * fill.size(), fill.data(), fill.size());
              }
              std::lock_guard lock(skipped_mutex);
              const size_t before = state.skipped.size();
              record_skipped(state, {c.files[step.file].path, step.time, e.what()});
              if (state.skipped.size() > before) report.problems.push_back(e.what());
            }
          },
          on_chunk, [&](size_t step_rows) { progress.tick(step_rows); });
      if (remote) {
        staging->publish(dir, var.name, metas[v], tc, *manifest, replacing);
      } else if (manifest) {
        manifest->commit();
      }
      report.chunks_written += stats.chunks_written;
      report.bytes_written += stats.bytes_written;
      report.sub_blocks += stats.sub_blocks;
      if (stats.sub_blocks > 1) ++report.spooled_blocks;
      report.raw_bytes += take * ny * nx * var.encoding.item_size();
      state.block_done.push_back(var.name);
      if (v + 1 < state.variables.size()) write_journal(dir, state);
    }
    // The time coordinate's chunk for this block.
    std::vector<int64_t> tv(ct, 0);
    for (uint64_t i = 0; i < existing; ++i) tv[i] = state.times[tc * ct + i] - kTimeEpochUnix;
    for (uint64_t i = 0; i < take; ++i) tv[existing + i] = todo[pos + i].time - kTimeEpochUnix;
    {
      std::optional<ChunkManifestWriter> manifest;
      if (state.chunk_manifest) manifest.emplace(dir, time_name, tc, 1);
      zarr::write_chunk(remote ? staging->stage() : dir, time_name, time_meta, {tc},
                        std::as_bytes(std::span(tv)), [&](std::span<const std::byte> stored) {
                          if (manifest) manifest->before_write(0, stored);
                        });
      if (remote) {
        staging->publish(dir, time_name, time_meta, tc, *manifest, replacing);
      } else if (manifest) {
        manifest->commit();
      }
    }
    for (uint64_t i = 0; i < take; ++i) state.times.push_back(todo[pos + i].time);
    pos += take;
    // Files all of whose steps are now in the store.
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
    if (pos == todo.size()) state.finished = true;
    write_journal(dir, state);
  }
  progress.finish();
  dir.clear_temporaries();
  report.steps_added = todo.size();
  if (remote) {
    report.objects_uploaded = staging->objects_uploaded();
    report.bytes_uploaded = staging->bytes_uploaded();
  }
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

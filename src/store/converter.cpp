#include "store/converter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "catalog/collection.h"
#include "catalog/file_name_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "formats/zarr/chunk_io.h"
#include "io/registry.h"
#include "parallel/collective.h"
#include "store/block_parts.h"
#include "store/chunk_manifest.h"
#include "store/chunk_reader.h"
#include "store/collection_scan.h"
#include "store/convert_steps.h"
#include "store/rechunker.h"
#include "store/remote_stage.h"
#include "store/store_lock.h"
#include "store/store_metadata.h"
#include "store/store_state.h"
#include "store/time_chunk.h"

namespace pixeldrill::store {
namespace fs = std::filesystem;
using namespace convert_detail;

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

ConvertReport convert(const ConvertOptions& opt, parallel::Communicator* comm) {
  const auto started = std::chrono::steady_clock::now();
  ConvertReport report;
  parallel::SingleProcess single;
  parallel::Communicator& world = comm ? *comm : single;
  const int ranks = world.size(), rank = world.rank();
  const unsigned threads = opt.threads ? opt.threads : default_threads();
  const fs::path root = opt.store;
  // A store on S3: lock, spool and staged chunks in a local work folder
  // (store/remote_stage.h); locally they live in the store's own folder.
  const bool remote = io::is_remote(opt.store);
  if (remote && ranks > 1) {
    // Every rank meets this before any collective step, so all stop alike.
    throw BadRequest(opt.store +
                     ": converting into S3 runs in one process; run it without "
                     "mpirun, or convert locally under mpirun and upload the store");
  }
  std::optional<RemoteStaging> staging;
  if (remote) staging.emplace(opt.store, opt.work_dir);
  // Ranks other than 0 write chunk files only, with their own scratch folder.
  const fs::path scratch = remote      ? staging->scratch()
                           : rank == 0 ? root / kScratchDir
                                       : root / kScratchDir / ("rank-" + std::to_string(rank));
  const zarr::Directory dir(root.string(), remote ? "" : scratch.string());
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
    source_dirs = folder_mtimes(recorded_path(opt.source));
    c = scan_collection(opt.source, opt.duplicates, opt.vars, ranks);
    report.problems = c.problems;
    if (opt.reader == "netcdf" && c.indexed && io::is_remote(c.files.front().path)) {
      throw BadRequest("--reader netcdf: netCDF-C reads local files only; " + opt.source +
                       " holds remote ones (use --reader direct)");
    }
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

    if (!dir.exists(kJournalKey) &&
        (remote ? remote_holds_other_objects(opt.store) : holds_other_files(root))) {
      throw Error(opt.store + ": exists and is not a pixeldrill store; choose a new folder");
    }
    // Held until the conversion returns; the journal is read under it. On S3
    // it guards against a second convert of the same store from this machine
    // (same work folder) only: S3 has no lock.
    lock.emplace(remote ? staging->work() : root);
    hold_lock_for_test();
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
      throw BadRequest(opt.store + ": store is complete; " + std::to_string(todo.size()) +
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
    if (!exists && !remote) fs::create_directories(root);
    state.finished = false;
    if (!c.index.empty()) state.index = c.index;
    write_journal(dir, state);
    if (state.times.empty()) create_store_metadata(dir, c, state);
    if (state.chunk_manifest && state.layout.is_null()) {
      state.layout = store_layout(dir.read_json(".zmetadata"), time_array_name(dir));
      write_journal(dir, state);
    }
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
  if (!opt.progress || rank != 0) progress.hide();
  std::set<std::string> files(state.files.begin(), state.files.end());

  const bool direct = opt.reader == "direct";
  ChunkReader chunks_direct(c);
  // Writes every variable's chunks of (a part of) one block, then, from the
  // part holding its first chunk row, its time chunk; variable_done(name,
  // last) follows each variable. A part of a block shared between ranks
  // leaves its manifest rows to rank 0, adding their records to `shared`.
  using VariableDone = std::function<void(const std::string&, bool)>;
  const uint64_t chunk_rows = (ny + metas.front().chunks[1] - 1) / metas.front().chunks[1];
  const uint64_t chunk_cols = (nx + metas.front().chunks[2] - 1) / metas.front().chunks[2];
  std::mutex skipped_mutex;
  // S3: a block a killed run had started may have left chunk objects behind.
  bool replacing = false;
  auto write_block = [&](const Block& b, const BlockPart& part, const VariableDone& variable_done,
                         std::vector<nlohmann::json>* shared) {
    const uint64_t y0 = part.row_begin * metas.front().chunks[1];
    const uint64_t rows = std::min<uint64_t>(ny, part.row_end * metas.front().chunks[1]) - y0;
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
      spec.chunk_row_begin = part.row_begin;
      spec.chunk_row_end = part.row_end;
      const auto& first = c.files[todo[b.pos].file];
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
        manifest.emplace(dir, var.name, b.tc, chunk_rows * chunk_cols);
        spec.manifest = &*manifest;
      }
      const auto fill = zarr::fill_bytes(spec.meta);
      const auto stats = rechunk_block(
          dir, spec,
          [&](size_t s, size_t r0, size_t r1, std::byte* out) {
            const auto& step = todo[b.pos + s];
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
              std::lock_guard guard(skipped_mutex);
              const size_t before = state.skipped.size();
              record_skipped(state, {c.files[step.file].path, step.time, e.what()});
              if (state.skipped.size() > before) report.problems.push_back(e.what());
            }
          },
          on_chunk, [&](size_t step_rows) { progress.tick(step_rows); });
      if (remote) {
        staging->publish(dir, var.name, metas[v], b.tc, *manifest, replacing);
      } else if (manifest && part.whole) {
        manifest->commit();
      } else if (manifest) {
        shared->push_back(part_records(var.name, b.tc, *manifest, part.row_begin * chunk_cols,
                                       part.row_end * chunk_cols));
      }
      report.chunks_written += stats.chunks_written;
      report.bytes_written += stats.bytes_written;
      // Counted once per block and variable, as one process counts them.
      if (part.row_begin == 0) {
        report.sub_blocks += stats.sub_blocks;
        if (stats.sub_blocks > 1) ++report.spooled_blocks;
      }
      report.raw_bytes += b.take * rows * nx * var.encoding.item_size();
      variable_done(var.name, v + 1 == state.variables.size());
    }
    if (part.row_begin != 0) return;
    // The time coordinate's chunk for this block.
    std::vector<int64_t> tv(ct, 0);
    for (uint64_t i = 0; i < b.existing; ++i) tv[i] = state.times[b.tc * ct + i] - kTimeEpochUnix;
    for (uint64_t i = 0; i < b.take; ++i)
      tv[b.existing + i] = todo[b.pos + i].time - kTimeEpochUnix;
    std::optional<ChunkManifestWriter> manifest;
    if (state.chunk_manifest) manifest.emplace(dir, time_name, b.tc, 1);
    zarr::write_chunk(remote ? staging->stage() : dir, time_name, time_meta, {b.tc},
                      std::as_bytes(std::span(tv)), [&](std::span<const std::byte> stored) {
                        if (manifest) manifest->before_write(0, stored);
                      });
    if (remote) {
      staging->publish(dir, time_name, time_meta, b.tc, *manifest, replacing);
    } else if (manifest) {
      manifest->commit();
    }
  };
  // Files all of whose steps are now in the store.
  auto commit_times = [&](size_t from, size_t count) {
    for (size_t i = 0; i < count; ++i) state.times.push_back(todo[from + i].time);
    for (const auto& f : c.files) {
      if (!f.times.empty() &&
          *std::max_element(f.times.begin(), f.times.end()) <= state.times.back()) {
        files.insert(recorded_path(f.path));
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
      replacing = b.existing > 0 || state.block == b.id;
      if (state.block != b.id) {
        state.block = b.id;
        state.block_done.clear();
      }
      write_block(
          b, {0, 0, chunk_rows, true},
          [&](const std::string& name, bool last) {
            state.block_done.push_back(name);
            if (!last) write_journal(dir, state);
          },
          nullptr);
      commit_times(b.pos, b.take);
      if (&b == &blocks.back()) state.finished = true;
      write_journal(dir, state);
    }
  } else {
    // Consecutive shares of the blocks' chunk rows (store/block_parts.h);
    // rank 0 commits them all to the journal at the end, and the manifest
    // rows of blocks shared between ranks.
    state.block.clear();
    state.block_done.clear();
    const size_t problems_before = report.problems.size();
    // A marker holds the files its rank skipped so far (damaged chunks), so a
    // rerun that skips the block still records them.
    auto skipped_json = [&] {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& f : state.skipped) j.push_back(f.to_json());
      return j;
    };
    std::vector<nlohmann::json> shared;  // manifest records of rows shared between ranks
    const auto parts = share_blocks(blocks, ny, metas.front().chunks[1], ranks);
    parallel::collective_step(world, [&] {
      for (const BlockPart& part : parts[static_cast<size_t>(rank)]) {
        const Block& b = blocks[part.block];
        // A block finished whole (by a run with another number of ranks) is
        // done for every part of it; its manifest rows are committed.
        const fs::path whole = block_marker(root, b);
        const fs::path marker = part.whole ? whole : part_marker(root, b, part);
        std::optional<PartMarker> done = read_part_marker(whole);
        if (!done && !part.whole) done = read_part_marker(marker);
        if (done) {
          for (const auto& f : done->skipped) record_skipped(state, SkippedFile::from_json(f));
          shared.insert(shared.end(), done->rows.begin(), done->rows.end());
          continue;
        }
        PartMarker finished;
        write_block(
            b, part, [](const std::string&, bool) {}, &finished.rows);
        finished.skipped = skipped_json();
        write_part_marker(marker, finished, part.whole);
        shared.insert(shared.end(), finished.rows.begin(), finished.rows.end());
      }
    });
    // Each rank's figures, skipped files and problems go to rank 0.
    std::vector<std::string> shares;
    parallel::collective_step(world, [&] {
      const nlohmann::json mine = {
          {"figures",
           {report.chunks_written, report.bytes_written, report.sub_blocks, report.spooled_blocks,
            report.raw_bytes}},
          {"skipped", skipped_json()},
          {"rows", shared},
          {"problems", std::vector<std::string>(
                           report.problems.begin() + static_cast<std::ptrdiff_t>(problems_before),
                           report.problems.end())}};
      shares = world.gather(mine.dump(), 0);
    });
    if (rank != 0) return report;
    report.chunks_written = report.bytes_written = report.sub_blocks = report.spooled_blocks =
        report.raw_bytes = 0;
    report.problems.resize(problems_before);
    shared.clear();
    // A file with damaged chunks in the rows of two ranks is named once, as
    // one process names it (each message starts with the file's path).
    std::set<std::string> named;
    for (size_t from = 0; from < shares.size(); ++from) {
      try {
        const auto j = nlohmann::json::parse(shares[from]);
        const auto v = j.at("figures").get<std::vector<uint64_t>>();
        if (v.size() != 5) throw Error("five figures expected");
        report.chunks_written += v[0];
        report.bytes_written += v[1];
        report.sub_blocks += v[2];
        report.spooled_blocks += v[3];
        report.raw_bytes += v[4];
        for (const auto& f : j.at("skipped")) record_skipped(state, SkippedFile::from_json(f));
        // Which rank met the problem (the journal's record of it says no rank:
        // the store is the same whatever N).
        const std::string who =
            " (read by rank " + std::to_string(from) + " of " + std::to_string(ranks) + ")";
        for (const auto& r : j.at("rows")) shared.push_back(r);
        for (const auto& p : j.at("problems")) {
          const std::string text = p.get<std::string>();
          if (named.insert(text.substr(0, text.find(": "))).second) {
            report.problems.push_back(text + who);
          }
        }
      } catch (const std::exception& e) {
        throw Error(std::string("convert: the share of another rank is damaged: ") + e.what());
      }
    }
    commit_shared_rows(dir, shared);
    commit_times(0, todo.size());
    state.finished = true;
    write_journal(dir, state);
  }
  progress.finish();
  dir.clear_temporaries();
  std::error_code ec;
  if (!remote) fs::remove_all(root / kBlockMarkersDir, ec);
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

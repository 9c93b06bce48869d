#include "drill/store_dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include "catalog/collection.h"
#include "catalog/grid.h"
#include "catalog/time_axis.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "drill/dataset_base.h"
#include "drill/dataset_registry.h"
#include "drill/netcdf_dataset.h"
#include "drill/plan.h"
#include "drill/resolve.h"
#include "drill/series_builder.h"
#include "drill/store_loader.h"
#include "formats/zarr/array_meta.h"
#include "formats/zarr/chunk_io.h"
#include "formats/zarr/directory.h"
#include "io/registry.h"
#include "store/chunk_manifest.h"
#include "store/store_metadata.h"
#include "store/store_state.h"

namespace pixeldrill::drill {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using zarr::ArrayMeta;

class StoreReader : public QueryReader {
 public:
  explicit StoreReader(std::shared_ptr<const OpenedStore> st)
      : st_(std::move(st)), dir_(st_->spec) {}

  const DatasetInfo& info() const override { return *st_->info; }
  std::string describe() const override { return described_; }

  void read(const ReadRequest& r, SeriesBuilder& builder, std::vector<Problem>& problems) override {
    const auto& times = st_->info->times;
    const std::vector<size_t> steps = select_steps(times, r.query.time);
    // raw[v][k * npix + p]: variable v, k-th selected step, plan pixel p.
    std::vector<std::vector<double>> raw(r.variables.size());
    // Remotely the variables are read side by side (each is a few round trips).
    parallel_for(r.variables.size(), dir_.remote() ? static_cast<unsigned>(r.variables.size()) : 1,
                 [&](size_t v) {
                   check_deadline(r.query);
                   read_pixels(r.variables[v], r.plan, steps, r.query.threads, raw[v]);
                 });
    // Handed over column-wise, as read: no copy or allocation per day.
    std::vector<StoredColumn> values(r.variables.size());
    for (size_t v = 0; v < r.variables.size(); ++v) {
      values[v] = {true, st_->arrays.at(r.variables[v]).packing, raw[v]};
    }
    std::vector<int64_t> step_times(steps.size());
    for (size_t k = 0; k < steps.size(); ++k) step_times[k] = times[steps[k]];
    const std::vector<uint64_t> orders(steps.begin(), steps.end());
    builder.add_steps(step_times, orders, values);
    described_ = "store " + st_->spec + describe_days(steps);
    read_newer_days(r, builder, problems);
    report_skipped(r.query, problems);
  }

 private:
  std::string describe_days(const std::vector<size_t>& steps) const {
    if (steps.empty()) return " (no days)";
    const auto& times = st_->info->times;
    std::vector<int64_t> chosen;
    for (size_t k : steps) chosen.push_back(times[k]);
    return " (" + describe_time_span(chosen) + ")";
  }

  // Source files the conversion skipped (unreadable, or a chunk failed to
  // decode: that day is fill in the store) make a drill over their day partial.
  void report_skipped(const Query& q, std::vector<Problem>& problems) const {
    if (!st_->sources) return;
    for (const auto& f : st_->sources->skipped) {
      if (f.time &&
          ((q.time.from && *f.time < *q.time.from) || (q.time.to && *f.time > *q.time.to)))
        continue;
      problems.push_back(Problem{
          f.path, "", "skipped when the store was converted (its values are missing): " + f.why});
    }
  }

  const store::StoreState* journal() const {
    std::call_once(st_->journal_once, [&] {
      try {
        if (const auto journal = dir_.read_json_if_present(store::kJournalKey)) {
          st_->journal = store::StoreState::from_json(*journal, dir_.uri(store::kJournalKey));
        }
      } catch (const Error& e) {
        st_->journal_problem = std::string("days newer than the store not checked: ") + e.what();
      }
    });
    return st_->journal ? &*st_->journal : nullptr;
  }

  // Reads variable `name` at every plan pixel for the selected steps. Work is
  // split by chunk file; each chunk is read once, and when it serves few
  // pixels only the blosc blocks holding their series are decoded.
  void read_pixels(const std::string& name, const Plan& plan, const std::vector<size_t>& steps,
                   unsigned plan_threads, std::vector<double>& out) {
    const StoreArray& a = st_->arrays.at(name);
    const ArrayMeta& m = a.meta;
    const size_t npix = plan.pixels.size(), item = m.item_size();
    const double fill = a.packing.fill_value.value_or(0.0);
    out.assign(steps.size() * npix, fill);
    if (steps.empty()) return;
    // Pixels by spatial chunk.
    std::map<std::pair<uint64_t, uint64_t>, std::vector<size_t>> by_chunk;
    for (size_t p = 0; p < npix; ++p) {
      by_chunk[{plan.pixels[p].row / m.chunks[1], plan.pixels[p].col / m.chunks[2]}].push_back(p);
    }
    // Selected steps by time chunk: [first k, last k] per time chunk.
    // (Steps ascend, so each time chunk's are one run: no map lookup per day.)
    std::vector<std::pair<uint64_t, std::pair<size_t, size_t>>> by_time;
    for (size_t k = 0; k < steps.size(); ++k) {
      const uint64_t tc = steps[k] / m.chunks[0];
      if (by_time.empty() || by_time.back().first != tc) {
        by_time.push_back({tc, {k, k}});
      } else {
        by_time.back().second.second = k;
      }
    }
    struct Job {
      uint64_t tc;
      std::pair<size_t, size_t> ks;
      const std::pair<const std::pair<uint64_t, uint64_t>, std::vector<size_t>>* pixels;
    };
    std::vector<Job> jobs;
    for (const auto& [tc, ks] : by_time) {
      for (const auto& entry : by_chunk) jobs.push_back({tc, ks, &entry});
    }
    const bool fortran = m.order == 'F';
    // Remote chunks wait on round trips (manifest row, chunk header, blocks),
    // not on a core: one thread per chunk, up to 32.
    const unsigned threads = dir_.remote()
                                 ? static_cast<unsigned>(std::min<size_t>(jobs.size(), 32))
                             : plan_threads ? plan_threads
                                            : std::min<unsigned>(default_threads(), 4);
    parallel_for(jobs.size(), threads, [&](size_t j) {
      const Job& job = jobs[j];
      const auto [cy, cx] = job.pixels->first;
      const std::vector<uint64_t> index = {job.tc, cy, cx};
      const std::string key = name + "/" + zarr::chunk_key(index);
      const auto& pixels = job.pixels->second;
      const std::string path = dir_.uri(key);
      const uint64_t t_base = job.tc * m.chunks[0];
      const size_t t_lo = steps[job.ks.first] - t_base, t_hi = steps[job.ks.second] - t_base;
      auto pick = [&](size_t p, const std::byte* base, size_t t0, size_t y0) {
        // base holds items from offset (t0, y0, x) of pixel p's column on (F order).
        const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
        for (size_t k = job.ks.first; k <= job.ks.second; ++k) {
          const size_t t = steps[k] - t_base;
          out[k * npix + p] = load_number(base + ((y - y0) * m.chunks[0] + t - t0) * item, m.dtype);
        }
      };
      const auto decode = [&](const io::ByteSource& chunk) {
        auto read_whole = [&] {
          std::vector<std::byte> bytes(chunk.size());
          chunk.read(0, bytes);
          return bytes;
        };
        if (!fortran) {
          const auto encoded = read_whole();
          std::vector<std::byte> buf(m.chunk_items() * item);
          m.codec.decompress(encoded, buf, path);
          for (size_t p : pixels) {
            const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
            const uint64_t x = plan.pixels[p].col - cx * m.chunks[2];
            for (size_t k = job.ks.first; k <= job.ks.second; ++k) {
              out[k * npix + p] = load_number(
                  buf.data() + m.offset_in_chunk({steps[k] - t_base, y, x}) * item, m.dtype);
            }
          }
          return;
        }
        // Columns of this chunk the query touches; with several, read the file
        // once and decode each column's run from memory, else read just its blocks.
        std::map<uint64_t, std::vector<size_t>> by_column;
        for (size_t p : pixels) by_column[plan.pixels[p].col - cx * m.chunks[2]].push_back(p);
        std::optional<std::vector<std::byte>> whole;
        if (by_column.size() > 2) whole = read_whole();
        // F order: the pixels of one chunk column between two rows, over the
        // selected days, are one contiguous run of items; decode just that run
        // (its blosc blocks) per column the query touches.
        std::vector<std::byte> run;
        for (const auto& [x, ps] : by_column) {
          uint64_t y0 = m.chunks[1], y1 = 0;
          for (size_t p : ps) {
            const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
          }
          const size_t first = m.offset_in_chunk({t_lo, y0, x});
          const size_t last = m.offset_in_chunk({t_hi, y1, x});
          run.resize((last - first + 1) * item);
          if (whole) {
            m.codec.decompress_items(*whole, first, item, run, path);
          } else {
            zarr::read_chunk_items(chunk, m.codec, m.chunk_items() * item, first, item, run);
          }
          for (size_t p : ps) pick(p, run.data(), t_lo, y0);
        }
      };
      // The chunk's bytes, checked against the store's manifest when it has
      // one; absent: all fill, already set.
      if (st_->verify) {
        store::read_verified(
            dir_, name, m, index, false,
            [&](store::VerifiedChunk& chunk) {
              if (!chunk.absent()) decode(chunk);
            },
            &st_->caches);
      } else if (const auto chunk = dir_.open(key)) {
        decode(*chunk);
      }
    });
  }

  // Days newer than the store's end, from the source it has not taken in
  // yet: through the chunk index it was converted from, else the raw files.
  void read_newer_days(const ReadRequest& r, SeriesBuilder& builder,
                       std::vector<Problem>& problems) {
    const auto& times = st_->info->times;
    const int64_t after = times.empty() ? INT64_MIN : times.back() + 1;
    if (r.query.time.to && *r.query.time.to < after) return;
    // A store written before sources.json existed: its journal says the same.
    const store::StoreState* state = nullptr;
    std::optional<store::SourceStamp> stamp = st_->sources;
    if (!stamp) {
      state = journal();
      if (st_->journal_problem) notes.push_back(*st_->journal_problem);
      if (state) stamp = store::SourceStamp::of(*state);
    }
    if (!stamp || stamp->source.empty()) return;
    // Converted from a remote collection, or from an index that is not a
    // local file: looking for newer days would list or fetch remote objects
    // on every drill; `convert --append` takes them in (docs/remote.md).
    std::error_code exists_ec;
    const bool local_index = !stamp->index.empty() && fs::is_regular_file(stamp->index, exists_ec);
    if (!local_index && (io::is_remote_spec(stamp->source) || io::is_remote(stamp->index))) return;
    Query newer = r.query;
    if (!newer.time.from || *newer.time.from < after) newer.time.from = after;
    std::shared_ptr<Dataset> source;
    std::string from;
    std::error_code ec;
    try {
      if (!stamp->index.empty() && fs::is_regular_file(stamp->index, ec)) {
        // Converted from a chunk index: newer days through it (keep it
        // current with `pixeldrill index`).
        source = open_dataset(stamp->index);
        from = "index " + stamp->index;
      } else {
        // No folder of the source changed since the store took it in: no
        // newer files -- unless the conversion has not finished (running, or
        // killed): the files it has not taken in yet are read from the source.
        if (stamp->finished && store::folders_unchanged(stamp->source_dirs)) return;
        if (!stamp->finished) {
          notes.push_back("store " + st_->spec +
                          " is incomplete (a conversion is running or was stopped): days it "
                          "does not hold yet are read from the source files");
        }
        if (!state) state = journal();
        if (st_->journal_problem) notes.push_back(*st_->journal_problem);
        if (!state) return;
        const std::set<std::string> done(state->files.begin(), state->files.end());
        std::vector<std::string> files;
        try {
          for (const auto& f : catalog::discover_files(state->source)) {
            if (!done.count(fs::absolute(f).lexically_normal().string())) files.push_back(f);
          }
        } catch (const Error& e) {
          // The store still answers for its own days; say why newer ones are absent.
          notes.push_back(std::string("days newer than the store not checked: ") + e.what());
          return;
        }
        if (files.empty()) return;
        source = std::make_shared<NetcdfDataset>(state->source, files);
        from = "netcdf " + state->source;
      }
      const auto* base = dynamic_cast<const DatasetBase*>(source.get());
      if (!base) return;
      std::string ignored;
      base->read_into(newer, r.plan, st_->info->grid, builder, problems, ignored);
    } catch (const Error& e) {
      // The store still answers for its own days; say why newer ones are absent.
      problems.push_back(Problem{stamp->index.empty() ? stamp->source : stamp->index, "",
                                 std::string("days newer than the store not read: ") + e.what()});
      return;
    }
    const std::vector<int64_t> added = builder.times_after(after - 1);
    if (added.empty()) return;
    described_ += " + " + from + " (" + describe_time_span(added) + " newer than the store)";
  }

  std::shared_ptr<const OpenedStore> st_;
  zarr::Directory dir_;
  std::string described_;
};

class StoreDataset : public DatasetBase {
 public:
  explicit StoreDataset(const std::string& spec) : StoreDataset(spec, load_store(spec)) {}
  StoreDataset(const std::string& spec, std::shared_ptr<const OpenedStore> state)
      : spec_(spec), state_(std::move(state)) {
    set_info(state_->info);
  }

  bool refresh() override {
    if (zmetadata_stamp(spec_) == state()->stamp) return false;
    auto fresh = load_store(spec_);
    set_info(fresh->info);
    std::lock_guard lock(mutex_);
    state_ = std::move(fresh);
    return true;
  }

 protected:
  std::unique_ptr<QueryReader> reader_for(const Query&) const override {
    return std::make_unique<StoreReader>(state());
  }
  size_t time_chunk_steps() const override {
    const auto st = state();
    if (st->data_vars.empty()) return 0;
    return static_cast<size_t>(st->arrays.at(st->data_vars.front()).meta.chunks.at(0));
  }

 private:
  std::shared_ptr<const OpenedStore> state() const {
    std::lock_guard lock(mutex_);
    return state_;
  }

  std::string spec_;
  mutable std::mutex mutex_;
  std::shared_ptr<const OpenedStore> state_;
};

}  // namespace

namespace {

// Remote SOURCEs that name one object of another kind are not tried as a
// store: that would cost a request.
bool may_be_remote_store(const std::string& spec) {
  if (spec.empty() || spec[0] == '@' || spec.find_first_of("*?[") != std::string::npos) {
    return false;
  }
  const std::string path = spec.substr(0, spec.find('?'));
  for (const char* ext : {".nc", ".nc4", ".pdx", ".json", ".xml", ".txt"}) {
    if (path.ends_with(ext)) return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<Dataset> open_store_dataset(const std::string& spec) {
  if (io::is_remote_spec(spec)) {
    if (!may_be_remote_store(spec)) return nullptr;
    auto state = load_store(spec, true);
    return state ? std::make_shared<StoreDataset>(spec, std::move(state)) : nullptr;
  } else {
    std::error_code ec;
    if (!fs::is_directory(spec, ec) || !fs::exists(fs::path(spec) / ".zmetadata", ec)) {
      return nullptr;
    }
  }
  const zarr::Directory dir(spec);
  const auto global = dir.read_json_if_present(".zattrs");
  if (!global || !global->is_object() || !global->contains(store::kStoreAttribute)) return nullptr;
  return std::make_shared<StoreDataset>(spec);
}

namespace {
[[maybe_unused]] const bool kRegistered =
    register_dataset_opener({"store", 20, &open_store_dataset});
}  // namespace

}  // namespace pixeldrill::drill

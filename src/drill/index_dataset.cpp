#include "drill/index_dataset.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "catalog/product_key.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "drill/dataset_registry.h"
#include "drill/index_file_driller.h"
#include "drill/index_summary.h"
#include "drill/index_values.h"
#include "drill/plan.h"
#include "drill/resolve.h"
#include "drill/series_builder.h"
#include "index/indexer.h"
#include "index/mapped_index.h"
#include "io/byte_source.h"
#include "io/registry.h"
#include "io/remote_options.h"

namespace pixeldrill::drill {
namespace {
// Files drilled at once from a remote index, one request each, unless
// --requests says otherwise: a year's point at 50 ms round trips took 1.41 s
// with 16, 0.85 with 32, 0.76-0.81 with 64 and the same with 128; each costs
// a thread and its compressed bytes (~0.6 MB for GHRSST), inflating being
// limited to one per core (DecodeSlots). docs/remote.md.
constexpr unsigned kIndexDrillRequests = 64;
}  // namespace

using index::CollectionIndex;
using index::FileEntry;
using index::MappedIndex;

codec::Inflater default_index_inflater() {
  if (const char* env = std::getenv("PIXELDRILL_INFLATE"); env && *env) {
    return codec::parse_inflater(env);
  }
  return codec::Inflater::kAuto;
}

struct IndexDataset::State {
  std::shared_ptr<const MappedIndex> index;
  std::shared_ptr<const DatasetInfo> info;
  std::string stamp;  // size and modification time of the index file
  // collection_index(): decoded on first request, kept as long as this state.
  mutable std::once_flag decode_once;
  mutable std::unique_ptr<const CollectionIndex> decoded;
};

namespace {

class IndexReader : public QueryReader {
 public:
  IndexReader(std::shared_ptr<const IndexDataset::State> state, const std::string& path,
              const IndexDrillOptions& options, IndexDrillStats* stats, const Query& query)
      : state_(std::move(state)),
        path_(path),
        options_(options),
        stats_(stats),
        products_(*state_->index, path, query.product) {
    if (state_->index->file_count() == 0) {
      throw Error(ErrorKind::kNotFound, path_ + ": the index holds no file");
    }
  }
  const DatasetInfo& info() const override { return *state_->info; }
  std::string describe() const override { return "index"; }

  void read(const ReadRequest& r, SeriesBuilder& builder, std::vector<Problem>& problems) override {
    const MappedIndex& index = *state_->index;
    problems.insert(problems.end(), state_->info->problems.begin(), state_->info->problems.end());
    const uint64_t grid = state_->info->grid.fingerprint();
    // Only the files with a step in the query's range are looked at.
    std::vector<uint32_t> todo;
    std::vector<std::string> todo_paths;
    std::vector<std::string> other_paths;
    std::vector<const catalog::Grid*> other_grids;
    std::vector<int8_t> same_grid(index.grids().size(), -1);
    for (const uint32_t i : index.files_between(r.query.time.from, r.query.time.to)) {
      if (!products_.keeps(index, i)) continue;
      const uint32_t gi = index.layouts()[index.layout_of(i)].grid;
      const catalog::Grid& g = index.grids()[gi];
      // Hashing a grid's coordinates per file cost 3% of a year's drill.
      if (same_grid[gi] < 0) same_grid[gi] = g.fingerprint() == grid ? 1 : 0;
      if (same_grid[gi] == 0) {
        other_paths.push_back(index.path(i));
        other_grids.push_back(&g);
      } else {
        todo.push_back(i);
        todo_paths.push_back(index.path(i));
      }
    }
    {
      // Two files with the same time step: catalog/duplicates.h, as on every path.
      std::vector<catalog::TimedFile> timed;
      for (size_t k = 0; k < todo.size(); ++k) {
        timed.push_back({todo_paths[k], {}, index.mtime_ns(todo[k])});
        for (int64_t t : index.times(todo[k])) {
          if (r.query.time.contains(t)) timed.back().times.push_back(t);
        }
      }
      const std::vector<bool> use = catalog::resolve_duplicates(timed, r.query.duplicates);
      std::vector<uint32_t> kept;
      std::vector<std::string> kept_paths;
      for (size_t k = 0; k < todo.size(); ++k) {
        if (!use[k]) continue;
        kept.push_back(todo[k]);
        kept_paths.push_back(std::move(todo_paths[k]));
      }
      todo = std::move(kept);
      todo_paths = std::move(kept_paths);
    }
    if (!other_paths.empty()) {
      std::vector<GridMember> others;
      for (size_t k = 0; k < other_paths.size(); ++k)
        others.push_back({other_paths[k], other_grids[k]});
      throw_mixed_grids(path_,
                        {todo.empty() ? index.path(0) : todo_paths.front(), &state_->info->grid},
                        others, todo.size() + others.size());
    }
    IndexDrillCounters counters;
    std::vector<std::optional<Problem>> failures(todo.size());
    // Remote files wait on the network: one thread per request in flight.
    const bool remote = std::any_of(todo_paths.begin(), todo_paths.end(),
                                    [](const std::string& p) { return io::is_remote(p); });
    const unsigned threads = options_.threads ? options_.threads
                             : remote ? io::remote_options().requests_or(kIndexDrillRequests)
                             : r.query.threads ? r.query.threads
                                               : default_threads();
    {
      Progress progress("drilling", todo.size());
      // One driller (and its chunk buffers) per worker thread bounds memory.
      std::mutex pool_mutex;
      std::vector<std::unique_ptr<IndexFileDriller>> pool;
      std::optional<DecodeSlots> slots;
      if (remote) slots.emplace(r.query.threads ? r.query.threads : default_threads());
      std::atomic<bool> timed_out{false};
      parallel_for(todo.size(), threads, [&](size_t k) {
        if (timed_out || past_deadline(r.query)) {
          timed_out = true;
          return;
        }
        std::unique_ptr<IndexFileDriller> driller;
        {
          std::lock_guard lock(pool_mutex);
          if (!pool.empty()) {
            driller = std::move(pool.back());
            pool.pop_back();
          }
        }
        if (!driller) {
          driller = std::make_unique<IndexFileDriller>(index.layouts(), r.plan, builder,
                                                       options_.inflater, options_.open_bytes,
                                                       counters, slots ? &*slots : nullptr);
        }
        try {
          const FileEntry f = index.file(todo[k]);  // decoded only now, by the worker
          for (auto& [t, values] : driller->drill(f, r.query)) {
            builder.add_step(f.times[t], values, todo[k]);
          }
        } catch (const Error& e) {
          failures[k] = problem_from_error(todo_paths[k], e);
        }
        progress.tick();
        std::lock_guard lock(pool_mutex);
        pool.push_back(std::move(driller));
      });
      if (timed_out) check_deadline(r.query);
    }
    for (auto& f : failures) {
      if (f) problems.push_back(std::move(*f));
    }
    if (stats_) {
      *stats_ = {counters.chunks.load(),         counters.read.load(),
                 counters.inflated.load(),       counters.needed.load(),
                 counters.read_ns.load() * 1e-9, counters.decode_ns.load() * 1e-9};
    }
  }

 private:
  std::shared_ptr<const IndexDataset::State> state_;
  const std::string& path_;
  const IndexDrillOptions& options_;
  IndexDrillStats* stats_;
  ProductFilter products_;
};

}  // namespace

IndexDataset::IndexDataset(std::string path, std::shared_ptr<const index::MappedIndex> index,
                           IndexDrillOptions options)
    : path_(std::move(path)), options_(std::move(options)) {
  auto state = std::make_shared<State>();
  int64_t mtime = 0;
  std::error_code ec;
  state->stamp = std::filesystem::exists(path_, ec) ? io::object_version(path_, &mtime) : "";
  state->index = std::move(index);
  state->info = describe_index(path_, *state->index, state->stamp, mtime);
  set_info(state->info);
  state_ = std::move(state);
}

IndexDataset::IndexDataset(std::string path, const index::CollectionIndex& index,
                           IndexDrillOptions options)
    : IndexDataset(path, MappedIndex::in_memory(index, path), std::move(options)) {}

std::shared_ptr<const IndexDataset::State> IndexDataset::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::shared_ptr<const index::MappedIndex> IndexDataset::mapped_index() const {
  return state()->index;
}

std::shared_ptr<const index::CollectionIndex> IndexDataset::collection_index() const {
  auto s = state();
  std::call_once(s->decode_once, [&] {
    s->decoded = std::make_unique<const CollectionIndex>(s->index->decode_all());
  });
  return {s, s->decoded.get()};
}

bool IndexDataset::refresh() {
  int64_t mtime = 0;
  const std::string stamp = io::object_version(path_, &mtime);
  if (stamp == state()->stamp) return false;
  auto fresh = std::make_shared<State>();
  fresh->index = MappedIndex::open(path_);
  fresh->stamp = stamp;
  fresh->info = describe_index(path_, *fresh->index, stamp, mtime);
  set_info(fresh->info);
  std::lock_guard lock(mutex_);
  state_ = std::move(fresh);
  return true;
}

std::unique_ptr<QueryReader> IndexDataset::reader_for(const Query& query) const {
  return std::make_unique<IndexReader>(state(), path_, options_, nullptr, query);
}

Series IndexDataset::drill_with_stats(const Query& query, IndexDrillStats* stats) const {
  IndexReader reader(state(), path_, options_, stats, query);
  return run(query, reader);
}

std::shared_ptr<Dataset> open_index_dataset(const std::string& spec) {
  if (!index::is_index_file(spec)) return nullptr;
  IndexDrillOptions options;
  options.inflater = default_index_inflater();
  return std::make_shared<IndexDataset>(spec, MappedIndex::open(spec), options);
}

namespace {
const bool kRegistered = register_dataset_opener({"index", 10, &open_index_dataset});
}  // namespace

}  // namespace pixeldrill::drill

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
#include "codec/chunk_pipeline.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "drill/dataset_registry.h"
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

using formats::hdf5::ChunkRef;
using index::CollectionIndex;
using index::FileEntry;
using index::Layout;
using index::MappedIndex;
using index::VarLayout;
using index_values::pipeline_of;
using index_values::to_double;

// One value wanted from a chunk: time step k of the file, plan pixel p.
struct Target {
  uint64_t chunk;
  uint64_t elem;
  uint32_t step;
  uint32_t pixel;
};

uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
          .count());
}

struct Counters {
  std::atomic<uint64_t> chunks{0}, read{0}, inflated{0}, needed{0}, read_ns{0}, decode_ns{0};
};

class FileDriller {
 public:
  FileDriller(const std::vector<Layout>& layouts, const Plan& plan, const SeriesBuilder& builder,
              codec::Inflater engine, ByteOpener open_bytes, Counters& counters)
      : layouts_(layouts),
        plan_(plan),
        builder_(builder),
        engine_(engine),
        open_bytes_(std::move(open_bytes)),
        counters_(counters) {}

  // Reads the file's steps inside the query's time range; returns them so a
  // file failing midway adds nothing.
  std::vector<std::pair<size_t, std::vector<StoredValues>>> drill(const FileEntry& f,
                                                                  const Query& query) {
    std::vector<size_t> steps;
    for (size_t t = 0; t < f.times.size(); ++t) {
      if (query.time.contains(f.times[t])) steps.push_back(t);
    }
    if (steps.empty()) return {};
    // The bytes we are about to read must be those the index describes.
    // Local files: size and modification time; other byte sources (HTTP/S3
    // later) at least their size.
    const bool local = f.path.find("://") == std::string::npos;
    if (local) {
      uint64_t size = 0;
      int64_t mtime = 0;
      index::stat_file(f.path, &size, &mtime);
      if (size != f.size || mtime != f.mtime_ns) {
        throw Error(f.path + ": changed since it was indexed (size " + std::to_string(f.size) +
                    " -> " + std::to_string(size) +
                    (mtime != f.mtime_ns ? ", modification time differs" : "") +
                    "); re-run pixeldrill index to update the index");
      }
    }
    // Remote objects: no HEAD; every response is checked against the
    // indexed size, Last-Modified and ETag instead.
    const io::ObjectInfo indexed{f.path, f.size, f.mtime_ns, f.etag};
    const auto source = local ? open_bytes_(f.path) : io::open_byte_source(f.path, &indexed);
    if (source->size() != f.size) {
      throw Error(f.path + ": changed since it was indexed (size " + std::to_string(f.size) +
                  " -> " + std::to_string(source->size()) +
                  "); re-run pixeldrill index to update the index");
    }
    const Layout& layout = layouts_[f.layout];
    const auto& names = builder_.read_variables();
    const size_t npix = plan_.pixels.size();
    std::vector<std::pair<size_t, std::vector<StoredValues>>> out;
    for (size_t t : steps) out.emplace_back(t, std::vector<StoredValues>(names.size()));
    for (size_t v = 0; v < names.size(); ++v) {
      size_t vi = 0;
      const VarLayout* var = layout.find(names[v], &vi);
      if (!var || !layout.is_data_variable(*var)) continue;  // absent in this era
      if (!var->unsupported.empty()) {
        throw Error(f.path + ": variable " + var->name + ": " + var->unsupported +
                    "; drill this collection through its NetCDF files instead of the index");
      }
      for (auto& [t, values] : out) {
        values[v].present = true;
        values[v].packing = f.vars[vi].packing;
        values[v].raw.assign(npix, 0.0);
      }
      read_variable(f, *source, layout, *var, f.vars[vi], steps, out, v);
    }
    return out;
  }

 private:
  void read_variable(const FileEntry& f, const io::ByteSource& source, const Layout& layout,
                     const VarLayout& var, const index::FileVar& fv,
                     const std::vector<size_t>& steps,
                     std::vector<std::pair<size_t, std::vector<StoredValues>>>& out, size_t v) {
    const VarPixels& vp = pixels_for(f, layout, var);
    // Group (step, pixel) targets by chunk with a counting sort: O(targets),
    // and each chunk's largest element tells how far to inflate it.
    const size_t npix = plan_.pixels.size();
    const size_t nchunks = std::max<size_t>(fv.chunks.size(), 1);
    targets_.resize(steps.size() * npix);
    starts_.assign(nchunks + 1, 0);
    max_elem_.assign(nchunks, 0);
    for (size_t k = 0; k < steps.size(); ++k) {
      const uint64_t t = vp.time_dim ? steps[k] : 0;
      const uint64_t tc = (t / vp.time_chunk) * vp.time_chunk_stride;
      const uint64_t te = (t % vp.time_chunk) * vp.time_elem_stride;
      for (size_t p = 0; p < npix; ++p) {
        const uint64_t chunk = vp.chunk[p] + tc;
        if (chunk >= nchunks)
          throw Error(f.path + ": variable " + var.name + ": chunk outside the index");
        const uint64_t elem = vp.elem[p] + te;
        targets_[k * npix + p] = {chunk, elem, static_cast<uint32_t>(k), static_cast<uint32_t>(p)};
        ++starts_[chunk + 1];
        max_elem_[chunk] = std::max(max_elem_[chunk], elem);
      }
    }
    for (size_t c = 0; c < nchunks; ++c) starts_[c + 1] += starts_[c];
    std::vector<Target>& targets = sorted_;
    targets.resize(targets_.size());
    {
      std::vector<size_t> fill(starts_.begin(), starts_.end() - 1);
      for (const Target& t : targets_) targets[fill[t.chunk]++] = t;
    }
    uint64_t chunk_elems = 1;
    for (auto c : var.chunk_shape) chunk_elems *= c;
    const size_t esize = catalog::storage_size(var.type);
    // CF _Unsigned reinterprets the stored bits as the packing's unsigned type.
    const catalog::StorageType value_type =
        catalog::storage_size(fv.packing.type) == esize ? fv.packing.type : var.type;
    const codec::Pipeline pipeline = pipeline_of(var);
    for (size_t i = 0; i < targets.size();) {
      const uint64_t chunk = targets[i].chunk;
      const size_t j = starts_[chunk + 1];
      const uint64_t max_elem = max_elem_[chunk];
      const ChunkRef ref = chunk < fv.chunks.size() ? fv.chunks[chunk] : ChunkRef{};
      auto put = [&](size_t n, auto&& value) {
        for (size_t q = i; q < n; ++q) {
          out[targets[q].step].second[v].raw[targets[q].pixel] = value(targets[q].elem);
        }
      };
      if (!fv.inline_data.empty()) {
        if ((max_elem + 1) * esize > fv.inline_data.size()) {
          throw Error(f.path + ": variable " + var.name + ": compact data shorter than its shape");
        }
        put(j, [&](uint64_t e) {
          return to_double(fv.inline_data.data() + e * esize, value_type, var.big_endian);
        });
      } else if (ref.offset == formats::hdf5::kNoStorage) {
        // Never written: reads as the dataset's fill value, as netCDF-C returns.
        const double fill = var.hdf5_fill.value_or(0.0);
        put(j, [&](uint64_t) { return fill; });
      } else {
        try {
          const auto t0 = std::chrono::steady_clock::now();
          uint64_t read_ns = 0;
          decoded_.decode_from(
              pipeline, ref.filter_mask, ref.size,
              [&](uint64_t at, std::span<std::byte> out) {
                const auto r0 = std::chrono::steady_clock::now();
                source.read(ref.offset + at, out);
                read_ns += elapsed_ns(r0);
              },
              chunk_elems, max_elem, engine_, fv.crcs_of(chunk));
          counters_.read_ns += read_ns;
          counters_.decode_ns += elapsed_ns(t0) - read_ns;
        } catch (const codec::CodecError& e) {
          throw Error(f.path + ": variable " + var.name + ": chunk " + std::to_string(chunk) +
                      " (bytes " + std::to_string(ref.offset) + ".." +
                      std::to_string(ref.offset + ref.size) + ") is corrupt: " + e.what());
        }
        counters_.chunks += 1;
        counters_.read += decoded_.stored_bytes_read();
        counters_.inflated += decoded_.inflated_bytes();
        counters_.needed += decoded_.needed_bytes();
        std::byte buf[8];
        put(j, [&](uint64_t e) {
          decoded_.element(e, buf);
          return to_double(buf, value_type, var.big_endian);
        });
      }
      i = j;
    }
  }

  // Where each plan pixel falls in a variable's chunk grid (time index 0),
  // and how a time index moves that: the same for every file of a layout.
  struct VarPixels {
    std::vector<uint64_t> chunk, elem;
    bool time_dim = false;
    uint64_t time_chunk = 1, time_chunk_stride = 0, time_elem_stride = 0;
  };

  const VarPixels& pixels_for(const FileEntry& f, const Layout& layout, const VarLayout& var) {
    auto it = var_pixels_.find(&var);
    if (it != var_pixels_.end()) return it->second;
    VarPixels vp;
    const size_t ndims = var.dims.size();
    const auto grid = var.chunk_grid();
    // Row-major strides of the chunk grid and of one chunk.
    std::vector<uint64_t> cstride(ndims, 1), estride(ndims, 1);
    for (size_t d = ndims; d-- > 1;) {
      cstride[d - 1] = cstride[d] * grid[d];
      estride[d - 1] = estride[d] * var.chunk_shape[d];
    }
    int lat = -1, lon = -1;
    for (size_t d = 0; d < ndims; ++d) {
      const std::string& dim = var.dims[d];
      if (dim == layout.lat_name) {
        lat = static_cast<int>(d);
      } else if (dim == layout.lon_name) {
        lon = static_cast<int>(d);
      } else if (dim == layout.time_name) {
        vp.time_dim = true;
        vp.time_chunk = var.chunk_shape[d];
        vp.time_chunk_stride = cstride[d];
        vp.time_elem_stride = estride[d];
      } else if (var.shape[d] != 1) {
        throw Error(f.path + ": variable " + var.name + " has dimension '" + dim + "' of length " +
                    std::to_string(var.shape[d]) + " besides time/lat/lon; not supported");
      }
    }
    const auto r = static_cast<size_t>(lat), c = static_cast<size_t>(lon);
    vp.chunk.resize(plan_.pixels.size());
    vp.elem.resize(plan_.pixels.size());
    for (size_t p = 0; p < plan_.pixels.size(); ++p) {
      const uint64_t row = plan_.pixels[p].row, col = plan_.pixels[p].col;
      vp.chunk[p] =
          (row / var.chunk_shape[r]) * cstride[r] + (col / var.chunk_shape[c]) * cstride[c];
      vp.elem[p] =
          (row % var.chunk_shape[r]) * estride[r] + (col % var.chunk_shape[c]) * estride[c];
    }
    return var_pixels_.emplace(&var, std::move(vp)).first->second;
  }

  const std::vector<Layout>& layouts_;
  const Plan& plan_;
  const SeriesBuilder& builder_;
  codec::Inflater engine_;
  ByteOpener open_bytes_;
  Counters& counters_;
  codec::DecodedChunk decoded_;
  std::map<const VarLayout*, VarPixels> var_pixels_;
  std::vector<Target> targets_, sorted_;
  std::vector<size_t> starts_;
  std::vector<uint64_t> max_elem_;
};

}  // namespace

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
    for (const uint32_t i : index.files_between(r.query.time.from, r.query.time.to)) {
      if (!products_.keeps(index, i)) continue;
      const catalog::Grid& g = index.grids()[index.layouts()[index.layout_of(i)].grid];
      if (g.fingerprint() != grid) {
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
    Counters counters;
    std::vector<std::optional<Problem>> failures(todo.size());
    // Remote files wait on the network: one thread per request in flight.
    const bool remote = std::any_of(todo_paths.begin(), todo_paths.end(),
                                    [](const std::string& p) { return io::is_remote(p); });
    const unsigned threads = options_.threads  ? options_.threads
                             : remote          ? io::remote_options().requests
                             : r.query.threads ? r.query.threads
                                               : default_threads();
    {
      Progress progress("drilling", todo.size());
      // One driller (and its chunk buffers) per worker thread bounds memory.
      std::mutex pool_mutex;
      std::vector<std::unique_ptr<FileDriller>> pool;
      std::atomic<bool> timed_out{false};
      parallel_for(todo.size(), threads, [&](size_t k) {
        if (timed_out || past_deadline(r.query)) {
          timed_out = true;
          return;
        }
        std::unique_ptr<FileDriller> driller;
        {
          std::lock_guard lock(pool_mutex);
          if (!pool.empty()) {
            driller = std::move(pool.back());
            pool.pop_back();
          }
        }
        if (!driller) {
          driller = std::make_unique<FileDriller>(index.layouts(), r.plan, builder,
                                                  options_.inflater, options_.open_bytes, counters);
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

#include "drill/index_file_driller.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "catalog/packing.h"
#include "core/env_number.h"
#include "core/error.h"
#include "drill/index_values.h"
#include "index/indexer.h"
#include "io/registry.h"

namespace pixeldrill::drill {

using formats::hdf5::ChunkRef;
using index::FileEntry;
using index::Layout;
using index::VarLayout;
using index_values::pipeline_of;
using index_values::to_double;

namespace {

uint64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
          .count());
}

// One value wanted from a chunk: time step k of the file, plan pixel p.
struct Target {
  uint64_t chunk;
  uint64_t elem;
  uint32_t step;
  uint32_t pixel;
};

}  // namespace

DecodeSlots::DecodeSlots(size_t slots) {
  for (size_t i = 0; i < std::max<size_t>(slots, 1); ++i) {
    free_.push_back(std::make_unique<codec::DecodedChunk>());
  }
}

DecodeSlots::Lease DecodeSlots::acquire() {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return !free_.empty(); });
  auto chunk = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(chunk));
}

DecodeSlots::Lease::~Lease() {
  if (!chunk_) return;
  {
    std::lock_guard lock(owner_->mutex_);
    owner_->free_.push_back(std::move(chunk_));
  }
  owner_->freed_.notify_one();
}

// Where each plan pixel falls in a variable's chunk grid (time index 0),
// and how a time index moves that: the same for every file of a layout.
struct IndexFileDriller::VarPixels {
  std::vector<uint64_t> chunk, elem;
  bool time_dim = false;
  uint64_t time_chunk = 1, time_chunk_stride = 0, time_elem_stride = 0;
};

// One variable of one file: its (step, pixel) targets grouped by chunk.
struct IndexFileDriller::VarWork {
  size_t v = 0;  // position in builder.read_variables()
  const VarLayout* var = nullptr;
  const index::FileVar* fv = nullptr;
  std::vector<Target> unsorted, targets;
  std::vector<size_t> starts;      // chunk c's targets: [starts[c], starts[c + 1])
  std::vector<uint64_t> max_elem;  // per chunk: how far to inflate it
  codec::Pipeline pipeline;
  uint64_t chunk_elems = 1;
};

// A chunk's first stored bytes, fetched before decoding.
struct IndexFileDriller::Fetched {
  size_t work = 0;
  uint64_t chunk = 0;
  std::vector<std::byte> bytes;
};

uint64_t fetch_ahead_budget() {
  return env_whole_number(kFetchAheadVariable, kFetchAheadBytes, 0,
                          "the bytes a drilling thread may fetch ahead");
}

IndexFileDriller::IndexFileDriller(const std::vector<Layout>& layouts, const Plan& plan,
                                   const SeriesBuilder& builder, codec::Inflater engine,
                                   ByteOpener open_bytes, IndexDrillCounters& counters,
                                   DecodeSlots* slots)
    : layouts_(layouts),
      plan_(plan),
      builder_(builder),
      engine_(engine),
      open_bytes_(std::move(open_bytes)),
      counters_(counters),
      slots_(slots),
      ahead_budget_(slots ? fetch_ahead_budget() : 0) {}

IndexFileDriller::~IndexFileDriller() = default;

IndexFileDriller::StepValues IndexFileDriller::drill(const FileEntry& f, const Query& query) {
  std::vector<size_t> steps;
  for (size_t t = 0; t < f.times.size(); ++t) {
    if (query.time.contains(f.times[t])) steps.push_back(t);
  }
  if (steps.empty()) return {};
  // The bytes we are about to read must be those the index describes.
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
  // Remote objects: no HEAD; every response is checked against the indexed
  // size, Last-Modified and ETag instead.
  const io::ObjectInfo indexed{f.path, f.size, f.mtime_ns, f.etag};
  const auto source = local ? open_bytes_(f.path) : io::open_byte_source(f.path, &indexed);
  if (source->size() != f.size) {
    throw Error(f.path + ": changed since it was indexed (size " + std::to_string(f.size) + " -> " +
                std::to_string(source->size()) + "); re-run pixeldrill index to update the index");
  }
  const Layout& layout = layouts_[f.layout];
  const auto& names = builder_.read_variables();
  const size_t npix = plan_.pixels.size();
  StepValues out;
  for (size_t t : steps) out.emplace_back(t, std::vector<StoredValues>(names.size()));
  if (work_.size() < names.size()) work_.resize(names.size());
  size_t nwork = 0;
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
    VarWork& work = work_[nwork++];
    work.v = v;
    work.var = var;
    work.fv = &f.vars[vi];
    plan_variable(f, layout, *var, f.vars[vi], steps, work);
  }
  if (!slots_) {
    for (size_t w = 0; w < nwork; ++w) decode_variable(f, *source, work_[w], decoded_, out);
    return out;
  }
  fetch_ahead(*source, nwork);
  DecodeSlots::Lease lease = slots_->acquire();
  for (size_t w = 0; w < nwork; ++w) decode_variable(f, *source, work_[w], lease.chunk(), out);
  return out;
}

void IndexFileDriller::plan_variable(const FileEntry& f, const Layout& layout, const VarLayout& var,
                                     const index::FileVar& fv, const std::vector<size_t>& steps,
                                     VarWork& work) {
  const VarPixels& vp = pixels_for(f, layout, var);
  // Group (step, pixel) targets by chunk with a counting sort: O(targets),
  // and each chunk's largest element tells how far to inflate it.
  const size_t npix = plan_.pixels.size();
  const size_t nchunks = std::max<size_t>(fv.chunks.size(), 1);
  work.unsorted.resize(steps.size() * npix);
  work.starts.assign(nchunks + 1, 0);
  work.max_elem.assign(nchunks, 0);
  for (size_t k = 0; k < steps.size(); ++k) {
    const uint64_t t = vp.time_dim ? steps[k] : 0;
    const uint64_t tc = (t / vp.time_chunk) * vp.time_chunk_stride;
    const uint64_t te = (t % vp.time_chunk) * vp.time_elem_stride;
    for (size_t p = 0; p < npix; ++p) {
      const uint64_t chunk = vp.chunk[p] + tc;
      if (chunk >= nchunks)
        throw Error(f.path + ": variable " + var.name + ": chunk outside the index");
      const uint64_t elem = vp.elem[p] + te;
      work.unsorted[k * npix + p] = {chunk, elem, static_cast<uint32_t>(k),
                                     static_cast<uint32_t>(p)};
      ++work.starts[chunk + 1];
      work.max_elem[chunk] = std::max(work.max_elem[chunk], elem);
    }
  }
  for (size_t c = 0; c < nchunks; ++c) work.starts[c + 1] += work.starts[c];
  work.targets.resize(work.unsorted.size());
  std::vector<size_t> fill(work.starts.begin(), work.starts.end() - 1);
  for (const Target& t : work.unsorted) work.targets[fill[t.chunk]++] = t;
  work.chunk_elems = 1;
  for (auto c : var.chunk_shape) work.chunk_elems *= c;
  work.pipeline = pipeline_of(var);
}

void IndexFileDriller::fetch_ahead(const io::ByteSource& source, size_t nwork) {
  std::vector<io::ReadRequest> reads;
  size_t n = 0;
  uint64_t total = 0;
  for (size_t w = 0; w < nwork && total < ahead_budget_; ++w) {
    const VarWork& work = work_[w];
    const index::FileVar& fv = *work.fv;
    if (!fv.inline_data.empty()) continue;
    for (size_t i = 0; i < work.targets.size(); i = work.starts[work.targets[i].chunk + 1]) {
      const uint64_t chunk = work.targets[i].chunk;
      const ChunkRef ref = chunk < fv.chunks.size() ? fv.chunks[chunk] : ChunkRef{};
      if (ref.offset == formats::hdf5::kNoStorage) continue;
      const uint64_t want =
          codec::DecodedChunk::first_read(work.pipeline, ref.filter_mask, ref.size,
                                          work.chunk_elems, work.max_elem[chunk], engine_);
      // The rest is read while decoding (decode_variable), under a slot.
      if (n > 0 && total + want > ahead_budget_) {
        total = ahead_budget_;
        break;
      }
      total += want;
      if (ahead_.size() <= n) ahead_.resize(n + 1);
      Fetched& fetched = ahead_[n++];
      fetched.work = w;
      fetched.chunk = chunk;
      fetched.bytes.resize(want);
      reads.push_back({ref.offset, fetched.bytes});
    }
  }
  ahead_.resize(n);
  const auto r0 = std::chrono::steady_clock::now();
  source.read_many(reads);
  counters_.read_ns += elapsed_ns(r0);
}

void IndexFileDriller::decode_variable(const FileEntry& f, const io::ByteSource& source,
                                       const VarWork& work, codec::DecodedChunk& decoder,
                                       StepValues& out) {
  const VarLayout& var = *work.var;
  const index::FileVar& fv = *work.fv;
  const std::vector<Target>& targets = work.targets;
  const size_t esize = catalog::storage_size(var.type);
  // CF _Unsigned reinterprets the stored bits as the packing's unsigned type.
  const catalog::StorageType value_type =
      catalog::storage_size(fv.packing.type) == esize ? fv.packing.type : var.type;
  const size_t v = work.v;
  for (size_t i = 0; i < targets.size();) {
    const uint64_t chunk = targets[i].chunk;
    const size_t j = work.starts[chunk + 1];
    const uint64_t max_elem = work.max_elem[chunk];
    const ChunkRef ref = chunk < fv.chunks.size() ? fv.chunks[chunk] : ChunkRef{};
    auto put = [&](auto&& value) {
      for (size_t q = i; q < j; ++q) {
        out[targets[q].step].second[v].raw[targets[q].pixel] = value(targets[q].elem);
      }
    };
    if (!fv.inline_data.empty()) {
      if ((max_elem + 1) * esize > fv.inline_data.size()) {
        throw Error(f.path + ": variable " + var.name + ": compact data shorter than its shape");
      }
      put([&](uint64_t e) {
        return to_double(fv.inline_data.data() + e * esize, value_type, var.big_endian);
      });
    } else if (ref.offset == formats::hdf5::kNoStorage) {
      // Never written: reads as the dataset's fill value, as netCDF-C returns.
      const double fill = var.hdf5_fill.value_or(0.0);
      put([&](uint64_t) { return fill; });
    } else {
      const std::vector<std::byte>* fetched = nullptr;
      for (const Fetched& a : ahead_) {
        if (&work_[a.work] == &work && a.chunk == chunk) fetched = &a.bytes;
      }
      try {
        const auto t0 = std::chrono::steady_clock::now();
        uint64_t read_ns = 0;
        decoder.decode_from(
            work.pipeline, ref.filter_mask, ref.size,
            [&](uint64_t at, std::span<std::byte> bytes) {
              if (fetched && at + bytes.size() <= fetched->size()) {
                std::memcpy(bytes.data(), fetched->data() + at, bytes.size());
                return;
              }
              const auto r0 = std::chrono::steady_clock::now();
              source.read(ref.offset + at, bytes);
              read_ns += elapsed_ns(r0);
            },
            work.chunk_elems, max_elem, engine_, fv.crcs_of(chunk));
        counters_.read_ns += read_ns;
        counters_.decode_ns += elapsed_ns(t0) - read_ns;
      } catch (const codec::CodecError& e) {
        throw Error(f.path + ": variable " + var.name + ": chunk " + std::to_string(chunk) +
                    " (bytes " + std::to_string(ref.offset) + ".." +
                    std::to_string(ref.offset + ref.size) + ") is corrupt: " + e.what());
      }
      counters_.chunks += 1;
      counters_.read += decoder.stored_bytes_read();
      counters_.inflated += decoder.inflated_bytes();
      counters_.needed += decoder.needed_bytes();
      std::byte buf[8];
      put([&](uint64_t e) {
        decoder.element(e, buf);
        return to_double(buf, value_type, var.big_endian);
      });
    }
    i = j;
  }
}

const IndexFileDriller::VarPixels& IndexFileDriller::pixels_for(const FileEntry& f,
                                                                const Layout& layout,
                                                                const VarLayout& var) {
  auto it = var_pixels_.find(&var);
  if (it != var_pixels_.end()) return *it->second;
  auto vp = std::make_unique<VarPixels>();
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
      vp->time_dim = true;
      vp->time_chunk = var.chunk_shape[d];
      vp->time_chunk_stride = cstride[d];
      vp->time_elem_stride = estride[d];
    } else if (var.shape[d] != 1) {
      throw Error(f.path + ": variable " + var.name + " has dimension '" + dim + "' of length " +
                  std::to_string(var.shape[d]) + " besides time/lat/lon; not supported");
    }
  }
  const auto r = static_cast<size_t>(lat), c = static_cast<size_t>(lon);
  vp->chunk.resize(plan_.pixels.size());
  vp->elem.resize(plan_.pixels.size());
  for (size_t p = 0; p < plan_.pixels.size(); ++p) {
    const uint64_t row = plan_.pixels[p].row, col = plan_.pixels[p].col;
    vp->chunk[p] =
        (row / var.chunk_shape[r]) * cstride[r] + (col / var.chunk_shape[c]) * cstride[c];
    vp->elem[p] = (row % var.chunk_shape[r]) * estride[r] + (col % var.chunk_shape[c]) * estride[c];
  }
  return *var_pixels_.emplace(&var, std::move(vp)).first->second;
}

}  // namespace pixeldrill::drill

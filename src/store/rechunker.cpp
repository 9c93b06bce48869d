#include "store/rechunker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "formats/zarr/chunk_io.h"

namespace pixeldrill::store {
namespace {

struct Plan {
  size_t ny, nx, ct, cy, cx, item;
  size_t band_rows;    // rows per source band
  size_t window_rows;  // rows of the window: a band and a chunk row, or the part's rows
  size_t sub_steps;    // steps per sub-block
};

Plan make_plan(const BlockSpec& s) {
  Plan p{};
  p.ny = s.meta.shape[1];
  p.nx = s.meta.shape[2];
  p.ct = s.meta.chunks[0];
  p.cy = s.meta.chunks[1];
  p.cx = s.meta.chunks[2];
  p.item = s.encoding.item_size();
  const size_t chunk_bytes = p.ct * p.cy * p.cx * p.item;
  const size_t row_bytes = p.nx * p.item;
  const size_t headroom = size_t{48} << 20;  // code, libraries, HDF5 metadata, outputs
  // The rows this block (or an MPI rank's part of it) covers: no buffer holds more.
  const size_t chunk_rows = (p.ny + p.cy - 1) / p.cy;
  const size_t span = std::min<size_t>(p.ny, std::min<size_t>(s.chunk_row_end, chunk_rows) * p.cy) -
                      std::min<size_t>(s.chunk_row_begin, chunk_rows) * p.cy;
  auto window_rows = [&](size_t band) { return std::min(band + p.cy, std::max<size_t>(span, 1)); };
  auto fixed = [&](size_t band) {
    // Per worker: the band it encodes into, its native read buffer (up to 8-byte
    // source values) and a chunk being assembled / compressed / merged.
    const size_t rows = std::min(band, std::max<size_t>(span, 1));
    return headroom + s.threads * (rows * row_bytes + rows * p.nx * 8 + 3 * chunk_bytes);
  };
  size_t band = std::max<size_t>(1, std::min(s.band_rows ? s.band_rows : p.cy, p.ny));
  auto steps_that_fit = [&](size_t b) -> size_t {
    const size_t f = fixed(b);
    if (f >= s.max_mem) return 0;
    return (s.max_mem - f) / (window_rows(b) * row_bytes);
  };
  // Prefer whole source bands (each source chunk inflated once); shrink the
  // band only when not even one step of it fits.
  while (steps_that_fit(band) == 0 && band > p.cy) band = std::max(p.cy, band / 2);
  const size_t fit = steps_that_fit(band);
  if (fit == 0) {
    throw BadRequest("--max-mem " + std::to_string(s.max_mem >> 20) + " MiB is too small for " +
                     s.array + " with chunks of " + std::to_string(chunk_bytes >> 20) +
                     " MiB and " + std::to_string(s.threads) +
                     " worker thread(s); raise --max-mem, lower --threads or choose smaller "
                     "--chunks");
  }
  p.band_rows = band;
  p.window_rows = window_rows(band);
  p.sub_steps = std::min<size_t>(fit, s.new_steps);
  return p;
}

// Where one sub-block's partial chunk lives in its spool file.
struct SpoolEntry {
  uint64_t offset = 0;
  uint64_t size = 0;  // 0: all fill, nothing spooled
};

class Spool {
 public:
  Spool(const std::filesystem::path& path, size_t chunks) : path_(path), entries_(chunks) {
    std::filesystem::create_directories(path.parent_path());
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Error(path.string() + ": cannot create spool file");
  }
  ~Spool() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  void put(size_t chunk, const std::vector<std::byte>& bytes) {
    const uint64_t off = end_.fetch_add(bytes.size());
    if (::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(off)) !=
        static_cast<ssize_t>(bytes.size())) {
      throw Error(path_.string() + ": spool write failed (disk full?)");
    }
    entries_[chunk] = {off, bytes.size()};
  }
  bool has(size_t chunk) const { return entries_[chunk].size > 0; }
  std::vector<std::byte> get(size_t chunk) const {
    const auto e = entries_[chunk];
    std::vector<std::byte> out(e.size);
    if (e.size && ::pread(fd_, out.data(), e.size, static_cast<off_t>(e.offset)) !=
                      static_cast<ssize_t>(e.size)) {
      throw Error(path_.string() + ": spool read failed");
    }
    return out;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::atomic<uint64_t> end_{0};
  std::vector<SpoolEntry> entries_;
};

}  // namespace

BlockStats rechunk_block(const zarr::Directory& dir, const BlockSpec& spec, const RowReader& reader,
                         const ChunkWritten& on_chunk, const std::function<void(size_t)>& on_band) {
  if (spec.meta.order != 'F' || spec.meta.shape.size() != 3) {
    throw Error(spec.array + ": the rechunker writes 3-D Fortran-order arrays only");
  }
  const Plan p = make_plan(spec);
  const zarr::Directory& out_dir = spec.output ? *spec.output : dir;
  const size_t chunk_rows = (p.ny + p.cy - 1) / p.cy;
  const size_t chunk_cols = (p.nx + p.cx - 1) / p.cx;
  const size_t nchunks = chunk_rows * chunk_cols;
  const size_t cr_begin = std::min<size_t>(spec.chunk_row_begin, chunk_rows);
  const size_t cr_end = std::min<size_t>(spec.chunk_row_end, chunk_rows);
  const size_t y_begin = cr_begin * p.cy, y_end = std::min(p.ny, cr_end * p.cy);
  const size_t nsub = (spec.new_steps + p.sub_steps - 1) / p.sub_steps;
  const size_t chunk_items = p.ct * p.cy * p.cx;
  const auto fill = zarr::fill_bytes(spec.meta);
  zarr::Codec spool_codec = zarr::Codec::parse("blosc-lz4:1");

  BlockStats stats;
  stats.sub_blocks = nsub;
  stats.band_rows = p.band_rows;
  stats.peak_buffer_bytes = p.window_rows * p.sub_steps * p.nx * p.item +
                            spec.threads * (p.band_rows * p.nx * p.item + 3 * chunk_items * p.item);
  std::atomic<uint64_t> written{0}, bytes{0};
  std::mutex hook_mutex;

  // Fills n items by doubling copies (a memcpy per item is far too slow here).
  auto fill_items = [&](std::byte* dst, size_t n) {
    if (n == 0) return;
    std::memcpy(dst, fill.data(), p.item);
    const size_t total = n * p.item;
    for (size_t done = p.item; done < total; done *= 2) {
      std::memcpy(dst + done, dst, std::min(done, total - done));
    }
  };
  // Final chunk: existing steps (from the store), then each sub-block's part.
  auto finish_chunk = [&](size_t cr, size_t cc,
                          const std::function<void(std::vector<std::byte>&)>& add_new) {
    // Reused by each thread: a fresh chunk-sized vector per chunk was zeroed
    // and page-faulted every time (the allocator hands large blocks back to
    // the system), 2.5x the CPU of a one-thread convert (docs/scaling.md).
    // Every byte is set below (read or filled), so no zeroing is needed.
    thread_local std::vector<std::byte> chunk;
    chunk.resize(chunk_items * p.item);
    const std::vector<uint64_t> index = {spec.time_chunk, cr, cc};
    if (spec.existing > 0) {
      zarr::read_chunk(dir, spec.array, spec.meta, index, chunk);
      // Anything after the existing steps is refilled, so a resumed append
      // writes the same bytes as an uninterrupted one.
      for (size_t px = 0; px < p.cy * p.cx; ++px) {
        fill_items(chunk.data() + (px * p.ct + spec.existing) * p.item, p.ct - spec.existing);
      }
    } else {
      fill_items(chunk.data(), chunk_items);
    }
    add_new(chunk);
    const size_t entry = cr * chunk_cols + cc;
    const size_t n = zarr::write_chunk(out_dir, spec.array, spec.meta, index, chunk,
                                       [&](std::span<const std::byte> stored) {
                                         if (spec.manifest)
                                           spec.manifest->before_write(entry, stored);
                                       });
    if (n > 0) {
      written.fetch_add(1);
      bytes.fetch_add(n);
      std::lock_guard lock(hook_mutex);
      if (on_chunk) on_chunk();
    }
  };

  std::vector<std::unique_ptr<Spool>> spools;
  for (size_t sb = 0; sb < nsub; ++sb) {
    const size_t s0 = sb * p.sub_steps;
    const size_t ns = std::min(p.sub_steps, spec.new_steps - s0);
    if (nsub > 1) {
      spools.push_back(std::make_unique<Spool>(
          spec.scratch / (spec.array + ".spool" + std::to_string(sb)), nchunks));
    }
    // Window layout [row][step][col]: each step's rows land contiguously.
    const size_t row_stride = ns * p.nx * p.item;
    std::vector<std::byte> window(p.window_rows * row_stride);
    size_t w0 = y_begin, w1 = y_begin;
    // Copies the window's part of chunk (cr, cc) into `chunk` (ct-deep,
    // F order) at time offset t_off.
    auto gather = [&](size_t cr, size_t cc, std::byte* chunk, size_t t_off, size_t depth) {
      const size_t y0 = cr * p.cy, x0 = cc * p.cx;
      const size_t ylen = std::min(p.cy, p.ny - y0), xlen = std::min(p.cx, p.nx - x0);
      auto typed = [&](auto zero) {
        using T = decltype(zero);
        T* dst = reinterpret_cast<T*>(chunk);
        for (size_t y = 0; y < ylen; ++y) {
          const std::byte* row = window.data() + (y0 + y - w0) * row_stride;
          for (size_t s = 0; s < ns; ++s) {
            const T* src = reinterpret_cast<const T*>(row) + s * p.nx + x0;
            T* d = dst + y * depth + t_off + s;
            for (size_t x = 0; x < xlen; ++x) d[x * p.cy * depth] = src[x];
          }
        }
      };
      switch (p.item) {
        case 1:
          return typed(uint8_t{});
        case 2:
          return typed(uint16_t{});
        case 4:
          return typed(uint32_t{});
        default:
          return typed(uint64_t{});
      }
    };
    // Bands on the source chunk grid, so a part starting inside a source
    // chunk still inflates each of its chunks once.
    for (size_t b0 = y_begin, b1 = 0; b0 < y_end; b0 = b1) {
      b1 = std::min(y_end, (b0 / p.band_rows + 1) * p.band_rows);
      parallel_for(ns, spec.threads, [&](size_t s) {
        thread_local std::vector<std::byte> band;
        band.resize((b1 - b0) * p.nx * p.item);
        reader(s0 + s, b0, b1, band.data());
        for (size_t r = b0; r < b1; ++r) {
          std::memcpy(window.data() + (r - w0) * row_stride + s * p.nx * p.item,
                      band.data() + (r - b0) * p.nx * p.item, p.nx * p.item);
        }
      });
      w1 = b1;
      if (on_band) on_band(ns * (b1 - b0));  // step-rows done
      // Emit every chunk row the window now covers completely.
      const size_t first = w0 / p.cy;
      size_t last = w1 / p.cy;  // exclusive
      if (w1 == y_end) last = cr_end;
      if (last <= first) continue;
      parallel_for((last - first) * chunk_cols, spec.threads, [&](size_t k) {
        const size_t cr = first + k / chunk_cols, cc = k % chunk_cols;
        if (nsub == 1) {
          finish_chunk(cr, cc, [&](std::vector<std::byte>& chunk) {
            gather(cr, cc, chunk.data(), spec.existing + s0, p.ct);
          });
          return;
        }
        std::vector<std::byte> part(ns * p.cy * p.cx * p.item);
        fill_items(part.data(), ns * p.cy * p.cx);
        gather(cr, cc, part.data(), 0, ns);
        zarr::ArrayMeta part_meta = spec.meta;
        part_meta.chunks = {ns, p.cy, p.cx};
        if (zarr::is_all_fill(part_meta, part)) return;
        spools.back()->put(cr * chunk_cols + cc, spool_codec.compress(part, p.item));
      });
      // Keep only rows of the chunk row still incomplete.
      const size_t keep_from = std::min(w1, last * p.cy);
      if (keep_from > w0) {
        std::memmove(window.data(), window.data() + (keep_from - w0) * row_stride,
                     (w1 - keep_from) * row_stride);
        w0 = keep_from;
      }
    }
  }
  if (nsub > 1) {
    parallel_for((cr_end - cr_begin) * chunk_cols, spec.threads, [&](size_t i) {
      const size_t k = cr_begin * chunk_cols + i;
      const size_t cr = k / chunk_cols, cc = k % chunk_cols;
      bool any = spec.existing > 0;
      for (size_t sb = 0; sb < nsub && !any; ++sb) any = spools[sb]->has(k);
      if (!any) {  // nothing but fill (land): the chunk stays absent
        if (spec.manifest) spec.manifest->before_write(k, {});
        out_dir.remove(spec.array + "/" + zarr::chunk_key({spec.time_chunk, cr, cc}));
        return;
      }
      finish_chunk(cr, cc, [&](std::vector<std::byte>& chunk) {
        for (size_t sb = 0; sb < nsub; ++sb) {
          const auto encoded = spools[sb]->get(k);
          if (encoded.empty()) continue;
          const size_t s0 = sb * p.sub_steps;
          const size_t ns = std::min(p.sub_steps, spec.new_steps - s0);
          std::vector<std::byte> part(ns * p.cy * p.cx * p.item);
          spool_codec.decompress(encoded, part, "spool");
          for (size_t px = 0; px < p.cy * p.cx; ++px) {
            std::memcpy(chunk.data() + (px * p.ct + spec.existing + s0) * p.item,
                        part.data() + px * ns * p.item, ns * p.item);
          }
        }
      });
    });
  }
  stats.chunks_written = written.load();
  stats.bytes_written = bytes.load();
  return stats;
}

}  // namespace pixeldrill::store

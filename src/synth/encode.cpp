#include "synth/encode.h"

#include <libdeflate.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/error.h"
#include "core/parallel.h"

namespace pixeldrill::synth {
namespace {

constexpr int kDeflateLevel = 3;

template <typename T>
void pack_row(const VarSpec& var, const PackParams& p, const float* in, size_t n, T* out) {
  const auto fill = static_cast<T>(var.fill);
  double lo = -127, hi = 127;
  if (var.type == NC_SHORT) lo = -32767, hi = 32767;
  if (var.type == NC_INT) lo = -2147483645.0, hi = 2147483645.0;
  if (!p.packed) {
    for (size_t j = 0; j < n; ++j)
      out[j] = std::isnan(in[j]) ? fill : static_cast<T>(in[j] + (in[j] >= 0 ? 0.5f : -0.5f));
    return;
  }
  const double inv = 1.0 / p.scale;
  for (size_t j = 0; j < n; ++j) {
    if (std::isnan(in[j])) {
      out[j] = fill;
    } else {
      // Clamp, then round half away from zero by truncation (no libm call).
      const double v = std::clamp((static_cast<double>(in[j]) - p.offset) * inv, lo, hi);
      out[j] = static_cast<T>(v + (v >= 0 ? 0.5 : -0.5));
    }
  }
}

// HDF5's shuffle filter: byte k of every element, for k = 0..size-1, in turn.
void shuffle(const uint8_t* in, size_t elements, size_t size, uint8_t* out) {
  if (size == 1) {
    std::memcpy(out, in, elements);
    return;
  }
  for (size_t e = 0; e < elements; ++e)
    for (size_t k = 0; k < size; ++k) out[k * elements + e] = in[e * size + k];
}

// Chunk-sized scratch buffers kept between chunks, variables and days: fresh
// multi-megabyte allocations each cost a page fault per 4 KiB.
class BufferPool {
 public:
  std::vector<uint8_t> take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    std::vector<uint8_t> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void give(std::vector<uint8_t>&& b) {
    std::lock_guard lock(mutex_);
    if (free_.size() < 8) free_.push_back(std::move(b));
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<uint8_t>> free_;
};

BufferPool& pool() {
  static BufferPool p;
  return p;
}

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

}  // namespace

size_t element_size(int type) {
  switch (type) {
    case NC_BYTE:
      return 1;
    case NC_SHORT:
      return 2;
    case NC_INT:
      return 4;
    default:
      throw Error("synth: unsupported storage type " + std::to_string(type));
  }
}

PackParams choose_packing(const VarSpec& var, const std::vector<float>& physical) {
  PackParams p;
  if (var.packing == Packing::kNone) return p;
  p.packed = true;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (float v : physical) {
    if (v < lo) lo = v;  // NaN compares false
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) lo = hi = 0;  // no valid pixel at all
  const double mid = (static_cast<double>(lo) + hi) / 2.0;
  if (var.packing == Packing::kFixedScale) {
    // As the real files: scale 0.01 stored from a float, offset a float value.
    p.scale = static_cast<double>(0.01f);
    p.offset = static_cast<double>(static_cast<float>(mid));
    return p;
  }
  const double span = std::max(static_cast<double>(hi) - lo, 1e-3 * std::max(1.0, std::abs(mid)));
  p.scale = span / (var.type == NC_INT ? 4294967290.0 : 254.0);
  p.offset = mid;
  return p;
}

EncodedVar encode_variable(const VarSpec& var, const std::vector<float>& physical,
                           const SynthGrid& grid, std::array<size_t, 3> chunk, unsigned threads,
                           const PackParams* packing, size_t time_index) {
  EncodedVar ev;
  ev.spec = &var;
  ev.packing = packing ? *packing : choose_packing(var, physical);
  ev.chunk = chunk;
  const size_t ch = chunk[1], cw = chunk[2];
  for (size_t r = 0; r < grid.nlat; r += ch)
    for (size_t c = 0; c < grid.nlon; c += cw) ev.offsets.push_back({time_index, r, c});
  ev.chunks.resize(ev.offsets.size());
  const size_t esize = element_size(var.type);
  const size_t elements = ch * cw;

  parallel_for(ev.offsets.size(), threads, [&](size_t k) {
    std::vector<uint8_t> raw = pool().take(), shuffled = pool().take(), compressed = pool().take();
    raw.resize(elements * esize);
    shuffled.resize(elements * esize);
    const size_t r0 = ev.offsets[k][1], c0 = ev.offsets[k][2];
    const size_t rows = std::min(ch, grid.nlat - r0), cols = std::min(cw, grid.nlon - c0);
    // Edge chunks are stored full size; the part outside the grid holds fill.
    std::vector<float> padded(cw, std::numeric_limits<float>::quiet_NaN());
    for (size_t r = 0; r < ch; ++r) {
      const float* src = padded.data();
      if (r < rows) {
        if (cols == cw) {
          src = &physical[(r0 + r) * grid.nlon + c0];
        } else {
          std::copy_n(&physical[(r0 + r) * grid.nlon + c0], cols, padded.begin());
          src = padded.data();
        }
      } else {
        std::fill(padded.begin(), padded.end(), std::numeric_limits<float>::quiet_NaN());
      }
      uint8_t* dst = &raw[r * cw * esize];
      switch (var.type) {
        case NC_BYTE:
          pack_row(var, ev.packing, src, cw, reinterpret_cast<int8_t*>(dst));
          break;
        case NC_SHORT:
          pack_row(var, ev.packing, src, cw, reinterpret_cast<int16_t*>(dst));
          break;
        default:
          pack_row(var, ev.packing, src, cw, reinterpret_cast<int32_t*>(dst));
          break;
      }
    }
    shuffle(raw.data(), elements, esize, shuffled.data());
    std::unique_ptr<libdeflate_compressor, CompressorDeleter> comp(
        libdeflate_alloc_compressor(kDeflateLevel));
    if (!comp) throw Error("synth: cannot allocate a deflate compressor");
    compressed.resize(libdeflate_zlib_compress_bound(comp.get(), shuffled.size()));
    const size_t size = libdeflate_zlib_compress(comp.get(), shuffled.data(), shuffled.size(),
                                                 compressed.data(), compressed.size());
    if (size == 0) throw Error("synth: deflate failed for " + var.name);
    ev.chunks[k].assign(compressed.begin(), compressed.begin() + static_cast<long>(size));
    pool().give(std::move(raw));
    pool().give(std::move(shuffled));
    pool().give(std::move(compressed));
  });
  return ev;
}

}  // namespace pixeldrill::synth

#include "codec/blosc_frame.h"

#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "codec/shuffle.h"
#include "codec/zstd_context.h"
#include "core/error.h"

namespace pixeldrill::codec {
namespace {

// Header flags (c-blosc blosc.h).
constexpr uint8_t kByteShuffle = 0x1;
constexpr uint8_t kMemcpyed = 0x2;
constexpr uint8_t kBitShuffle = 0x4;
constexpr uint8_t kFutureFlag = 0x8;
constexpr uint8_t kDontSplit = 0x10;
constexpr uint8_t kZstdCode = 4;  // compressor, flags >> 5
// c-blosc blosc_d: a block is stored as `typesize` streams when this holds.
constexpr size_t kMaxSplits = 16;
constexpr size_t kMinBufferSize = 128;

// c-blosc blosc.h limits.
constexpr size_t kMaxBufferSize = INT_MAX - BloscHeader::kSize;
constexpr size_t kMaxBlockSize = (INT_MAX - 255 * 4) / 3;

void put_le32(std::byte* p, size_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}

uint32_t le32(const std::byte* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

[[noreturn]] void corrupt(const std::string& what) { throw Error("corrupt blosc chunk: " + what); }

// Decodes block `b` (bsize bytes) into `block`, still shuffled.
void decode_block(const BloscFrameBytes& frame, const BloscHeader& h, size_t b, size_t bsize,
                  std::byte* block) {
  const size_t nblocks = (h.nbytes + h.blocksize - 1) / h.blocksize;
  const bool last_partial = b == nblocks - 1 && h.nbytes % h.blocksize != 0;
  const size_t splits = !(h.flags & kDontSplit) && h.typesize <= kMaxSplits &&
                                h.blocksize / h.typesize >= kMinBufferSize && !last_partial
                            ? h.typesize
                            : 1;
  const size_t stream_size = bsize / splits;
  if (stream_size * splits != bsize) corrupt("block size is not a multiple of the item size");
  size_t at = frame.block_start(b);
  for (size_t s = 0; s < splits; ++s) {
    if (at < BloscHeader::kSize || at + 4 > frame.size) corrupt("block offset out of range");
    const uint32_t csize = le32(frame.at(at, 4).data());
    at += 4;
    if (csize > frame.size - at) corrupt("block runs past the end of the frame");
    std::byte* into = block + s * stream_size;
    const auto stored = frame.at(at, csize);
    if (csize == stream_size) {
      std::memcpy(into, stored.data(), stream_size);
    } else {
      const char* problem = nullptr;
      const size_t n = zstd_decode(stored, std::span(into, stream_size), &problem);
      if (problem) corrupt(problem);
      if (n != stream_size) corrupt("a block decodes to the wrong size");
    }
    at += csize;
  }
}

}  // namespace

BloscHeader BloscHeader::parse(std::span<const std::byte> bytes) {
  if (bytes.size() < kSize) corrupt("shorter than its header");
  BloscHeader h;
  h.version = static_cast<uint8_t>(bytes[0]);
  h.versionlz = static_cast<uint8_t>(bytes[1]);
  h.flags = static_cast<uint8_t>(bytes[2]);
  h.typesize = static_cast<uint8_t>(bytes[3]);
  h.nbytes = le32(bytes.data() + 4);
  h.blocksize = le32(bytes.data() + 8);
  h.cbytes = le32(bytes.data() + 12);
  return h;
}

bool BloscHeader::read_here() const {
  // Format version 2 and zstd's stream version 1: what c-blosc 1.x writes
  // and all it reads (others go to libblosc, which rejects them).
  if (version != 2 || typesize == 0) return false;
  if (flags & kMemcpyed) return true;
  return (flags >> 5) == kZstdCode && versionlz == 1 && !(flags & kBitShuffle);
}

std::span<const std::byte> BloscFrameBytes::at(size_t offset, size_t n) const {
  if (offset <= head.size() && n <= head.size() - offset) return head.subspan(offset, n);
  if (offset >= run_at && offset - run_at <= run.size() && n <= run.size() - (offset - run_at)) {
    return run.subspan(offset - run_at, n);
  }
  corrupt("bytes " + std::to_string(offset) + ".." + std::to_string(offset + n) +
          " of the frame were not read");
}

size_t BloscFrameBytes::block_start(size_t b) const {
  return le32(at(BloscHeader::kSize + b * 4, 4).data());
}

size_t BloscFrameBytes::block_end(size_t b, size_t nblocks) const {
  const size_t from = block_start(b);
  // One bounds check for the whole table, not one per entry: a served point
  // scans the 1,460 entries of a 4 KiB-block frame for each block it reads.
  const std::byte* table = at(BloscHeader::kSize, nblocks * 4).data();
  size_t to = size;
  for (size_t j = 0; j < nblocks; ++j) {
    const size_t s = le32(table + j * 4);
    if (s > from && s < to) to = s;
  }
  return to;
}

void blosc_read_bytes(const BloscFrameBytes& frame, size_t first, std::span<std::byte> out) {
  const BloscHeader h = BloscHeader::parse(frame.head);
  if (h.cbytes != frame.size) corrupt("frame size differs from its header");
  if (first > h.nbytes || out.size() > h.nbytes - first) corrupt("fewer bytes than asked for");
  if (out.empty()) return;
  if (h.flags & kFutureFlag) corrupt("flags from a later blosc format");
  // Checked for every frame, as libblosc does.
  if (h.blocksize == 0 || h.blocksize > h.nbytes) corrupt("block size out of range");
  if (h.flags & kMemcpyed) {
    if (size_t{h.nbytes} + BloscHeader::kSize != frame.size) corrupt("stored data is cut short");
    const auto stored = frame.at(BloscHeader::kSize + first, out.size());
    std::memcpy(out.data(), stored.data(), out.size());
    return;
  }
  const size_t nblocks = (h.nbytes + size_t{h.blocksize} - 1) / h.blocksize;
  if (BloscHeader::kSize + nblocks * 4 > frame.size) corrupt("block offsets cut short");
  const bool shuffled = (h.flags & kByteShuffle) && h.typesize > 1;
  // One decoded block kept per thread; blocks over 1 MiB (other writers' big
  // blocks) are not kept, so a server's many threads do not each hold one.
  thread_local std::vector<std::byte> kept;
  std::vector<std::byte> big;
  std::vector<std::byte>& block = h.blocksize <= (size_t{1} << 20) ? kept : big;
  const size_t last = first + out.size();
  for (size_t b = first / h.blocksize; b * h.blocksize < last; ++b) {
    const size_t begin = b * h.blocksize;
    const size_t bsize = std::min<size_t>(h.blocksize, h.nbytes - begin);
    if (block.size() < bsize) block.resize(bsize);
    decode_block(frame, h, b, bsize, block.data());
    // The part of this block that was asked for: [lo, hi) within it.
    const size_t lo = std::max(first, begin) - begin, hi = std::min(last, begin + bsize) - begin;
    std::byte* to = out.data() + (begin + lo - first);
    if (!shuffled) {
      std::memcpy(to, block.data() + lo, hi - lo);
    } else if (lo == 0 && hi == bsize) {
      unshuffle_bytes(std::span(block.data(), bsize), std::span(to, bsize), h.typesize);
    } else {
      // Byte o of the block: byte o % typesize of item o / typesize; the
      // bytes after the last whole item are stored as they are. Whole items
      // a division each, not a division per byte (a point's series is a run
      // of whole items).
      const size_t ts = h.typesize, items = bsize / ts;
      auto byte_at = [&](size_t o) {
        const size_t item = o / ts;
        return item < items ? block[(o % ts) * items + item] : block[o];
      };
      size_t o = lo;
      for (; o < hi && o % ts != 0; ++o) *to++ = byte_at(o);
      for (size_t item = o / ts; o + ts <= hi && item < items; o += ts, ++item) {
        for (size_t k = 0; k < ts; ++k) *to++ = block[k * items + item];
      }
      for (; o < hi; ++o) *to++ = byte_at(o);
    }
  }
}

// Follows c-blosc 1.21 blosc.c: compute_blocksize (forced block size),
// write_compression_header, blosc_c and blosc_compress_context's fallback to
// a stored copy. zstd blocks are never split into streams there (its
// default "forward compatible" split mode), so a block is one stream.
std::vector<std::byte> blosc_zstd_encode(std::span<const std::byte> raw, size_t typesize,
                                         int clevel, bool shuffle, size_t blocksize) {
  if (clevel < 0 || clevel > 9 || typesize == 0 || blocksize == 0 || raw.size() > kMaxBufferSize) {
    return {};
  }
  const size_t nbytes = raw.size();
  if (typesize > 255) typesize = 1;
  if (nbytes < typesize) {
    blocksize = 1;
  } else {
    blocksize = std::clamp(blocksize, kMinBufferSize, kMaxBlockSize);
    if (blocksize > nbytes) blocksize = nbytes;
    if (blocksize > typesize) blocksize = blocksize / typesize * typesize;
  }
  const size_t nblocks = (nbytes + blocksize - 1) / blocksize;
  const size_t maxbytes = nbytes + BloscHeader::kSize;
  // zstd's level for blosc's clevel.
  const int level = clevel < 9 ? clevel * 2 - 1 : ZSTD_maxCLevel();

  std::vector<std::byte> out(maxbytes);
  uint8_t flags = kDontSplit | (kZstdCode << 5);
  if (shuffle) flags |= kByteShuffle;
  out[0] = std::byte{2};
  out[1] = std::byte{1};
  out[3] = static_cast<std::byte>(typesize);
  put_le32(&out[4], nbytes);
  put_le32(&out[8], blocksize);
  auto stored_copy = [&] {
    out[2] = static_cast<std::byte>(flags | kMemcpyed);
    if (nbytes) std::memcpy(&out[BloscHeader::kSize], raw.data(), nbytes);
    put_le32(&out[12], maxbytes);
    return out;
  };
  if (clevel == 0 || nbytes < kMinBufferSize) return stored_copy();
  out[2] = static_cast<std::byte>(flags);

  std::vector<std::byte> shuffled(shuffle && typesize > 1 ? blocksize : 0);
  size_t at = BloscHeader::kSize + nblocks * 4;
  for (size_t b = 0; b < nblocks; ++b) {
    put_le32(&out[BloscHeader::kSize + b * 4], at);
    const size_t bsize = std::min(blocksize, nbytes - b * blocksize);
    std::span<const std::byte> block = raw.subspan(b * blocksize, bsize);
    if (!shuffled.empty()) {
      shuffle_bytes(block, std::span(shuffled.data(), bsize), typesize);
      block = std::span(shuffled.data(), bsize);
    }
    at += 4;
    if (at >= maxbytes) return stored_copy();
    const size_t maxout = std::min(bsize, maxbytes - at);
    size_t csize = zstd_encode(block, std::span(&out[at], maxout), level);
    if (csize == 0 || csize == bsize) {
      if (at + bsize > maxbytes) return stored_copy();
      std::memcpy(&out[at], block.data(), bsize);
      csize = bsize;
    }
    put_le32(&out[at - 4], csize);
    at += csize;
  }
  put_le32(&out[12], at);
  out.resize(at);
  return out;
}

}  // namespace pixeldrill::codec

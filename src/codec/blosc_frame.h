#pragma once
// Reading blosc1 frames (the Zarr v2 "blosc" codec, c-blosc's
// README_CHUNK_FORMAT) whose blocks are zstd, with byte shuffle or none: the
// codec pixeldrill's stores use. libblosc decodes each block with
// ZSTD_decompress, which makes a new zstd context per block (zstd_context.h:
// 13 us under a hypervisor); here one context per thread decodes them all.
// Frames of other compressors, and bit-shuffled ones, are left to libblosc.
// Writing such frames (zstd blocks, byte shuffle, a chosen block size) is
// done here too, for the same reason.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pixeldrill::codec {

struct BloscHeader {
  static constexpr size_t kSize = 16;
  uint8_t version = 0;
  uint8_t versionlz = 0;
  uint8_t flags = 0;
  uint8_t typesize = 0;
  uint32_t nbytes = 0;     // decoded size
  uint32_t blocksize = 0;  // decoded size of each block but the last
  uint32_t cbytes = 0;     // size of the whole frame

  // `bytes` holds at least kSize bytes.
  static BloscHeader parse(std::span<const std::byte> bytes);
  // True when blosc_read_bytes decodes this frame (else use libblosc).
  bool read_here() const;
};

// The bytes of a frame of `size` (cbytes) bytes that a reader holds: `head`
// from its start (the header and the block offsets at least) and `run` from
// offset `run_at` (the blocks a read needs), so a partial read need not
// allocate the whole frame. at() throws Error for a range held by neither.
struct BloscFrameBytes {
  std::span<const std::byte> head;
  std::span<const std::byte> run;
  size_t run_at = 0;
  size_t size = 0;
  static BloscFrameBytes whole(std::span<const std::byte> frame) {
    return {frame, {}, 0, frame.size()};
  }
  std::span<const std::byte> at(size_t offset, size_t n) const;
  // Where block b's stored bytes begin: entry b of the block-offset table
  // that follows the header (held in `head`).
  size_t block_start(size_t b) const;
  // Where block b's stored bytes end: the next-higher start among the
  // `nblocks` blocks (blosc writes blocks in any order, as threads finish
  // them), else the frame's end.
  size_t block_end(size_t b, size_t nblocks) const;
};

// Decodes bytes [first, first + out.size()) of the frame's data, from the
// blocks that hold them. Throws Error (naming no file: callers add theirs)
// for any inconsistency, including a needed block that `frame` does not hold.
void blosc_read_bytes(const BloscFrameBytes& frame, size_t first, std::span<std::byte> out);
inline void blosc_read_bytes(std::span<const std::byte> frame, size_t first,
                             std::span<std::byte> out) {
  blosc_read_bytes(BloscFrameBytes::whole(frame), first, out);
}

// The frame libblosc's blosc_compress_ctx writes for zstd at `clevel` (0-9),
// byte shuffle or none, a given block size (> 0) and one thread, byte for
// byte, but with one zstd context per thread (libblosc makes one per block).
// Empty when the settings are outside that (then call libblosc).
std::vector<std::byte> blosc_zstd_encode(std::span<const std::byte> raw, size_t typesize,
                                         int clevel, bool shuffle, size_t blocksize);

}  // namespace pixeldrill::codec

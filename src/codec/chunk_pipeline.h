#pragma once
// Decoding one stored HDF5 chunk through the filters pixeldrill implements
// itself: fletcher32 (verified, stripped), deflate, shuffle. Elements are
// gathered straight from the (possibly shuffled) inflated buffer, and only the
// prefix of it that holds the largest needed element is inflated.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/inflate.h"

namespace pixeldrill::codec {

// Positions in the HDF5 filter pipeline (encode order), -1 when absent. The
// chunk's filter mask has bit `pos` set when that filter was skipped.
struct Pipeline {
  int shuffle = -1;
  int deflate = -1;
  int fletcher32 = -1;
  size_t elem_size = 1;
};

class DecodedChunk {
 public:
  // Decodes `stored` (the chunk's bytes as on disk) holding `count` elements
  // so that elements [0, max_index] are available. Throws CodecError.
  void decode(const Pipeline& pipeline, uint32_t filter_mask, std::span<const std::byte> stored,
              size_t count, size_t max_index, Inflater engine);
  // Like decode(), reading the chunk's `stored_size` bytes through `read`;
  // when it stops inflating early it reads only the compressed bytes the
  // inflater consumed (what a remote byte source would have to fetch).
  // Non-empty `block_crcs` (CRC-32C per 64 KiB block of the stored bytes, as
  // the index records them) are checked for every block read, before inflating.
  void decode_from(const Pipeline& pipeline, uint32_t filter_mask, uint64_t stored_size,
                   const StreamReader& read, size_t count, size_t max_index, Inflater engine,
                   std::span<const uint32_t> block_crcs = {});
  uint64_t stored_bytes_read() const { return stored_read_; }
  // The stored bytes [0, first_read) that decode_from() asks `read` for
  // first (all of them unless it stops early): a caller may fetch them ahead,
  // while another thread inflates, and serve them from memory.
  static uint64_t first_read(const Pipeline& pipeline, uint32_t filter_mask, uint64_t stored_size,
                             size_t count, size_t max_index, Inflater engine);

  // Copies element i (native byte order of the file) into out[0, elem_size).
  void element(size_t i, std::byte* out) const;
  size_t inflated_bytes() const { return produced_; }
  // The prefix of the decoded chunk that holds the needed elements.
  size_t needed_bytes() const { return needed_; }

 private:
  struct ReadPlan {
    bool streams = false;
    size_t needed = 0;
    uint64_t first = 0;
  };
  static ReadPlan plan_read(const Pipeline& pipeline, uint32_t filter_mask, uint64_t stored_size,
                            size_t count, size_t max_index, Inflater engine);

  std::vector<std::byte> buffer_;
  const std::byte* data_ = nullptr;
  size_t produced_ = 0;
  size_t needed_ = 0;
  uint64_t stored_read_ = 0;
  std::vector<std::byte> stored_;
  size_t count_ = 0;
  size_t elem_size_ = 1;
  bool shuffled_ = false;
};

}  // namespace pixeldrill::codec

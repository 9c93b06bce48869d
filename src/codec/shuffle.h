#pragma once
// The HDF5 shuffle filter: n elements of k bytes are stored as k byte planes
// (all first bytes, then all second bytes, ...), which deflate compresses
// better. Element i's byte p sits at p * n + i, so a reader that needs a few
// elements gathers them without unshuffling the whole chunk, and needs the
// inflated buffer only up to (k - 1) * n + i + 1.
#include <cstddef>
#include <span>

namespace pixeldrill::codec {

void shuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, size_t elem_size);
void unshuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, size_t elem_size);

// Copies element `index` of a shuffled buffer holding `count` elements into
// out[0, elem_size). `shuffled` may be a prefix of the buffer as long as it
// reaches shuffled_prefix_needed(index, count, elem_size).
inline void gather_shuffled(const std::byte* shuffled, size_t count, size_t elem_size, size_t index,
                            std::byte* out) {
  for (size_t p = 0; p < elem_size; ++p) out[p] = shuffled[p * count + index];
}

inline size_t shuffled_prefix_needed(size_t index, size_t count, size_t elem_size) {
  return (elem_size - 1) * count + index + 1;
}

}  // namespace pixeldrill::codec

#include "codec/shuffle.h"

#include <cstring>

#include "core/error.h"

namespace pixeldrill::codec {
namespace {
void check_sizes(std::span<const std::byte> in, std::span<std::byte> out, size_t elem_size) {
  if (elem_size == 0 || in.size() != out.size()) {
    throw Error("shuffle: input and output sizes differ or element size is 0");
  }
}
}  // namespace

// A trailing partial element (size not a multiple of elem_size) is copied
// unchanged, as HDF5 does.
void shuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, size_t elem_size) {
  check_sizes(in, out, elem_size);
  const size_t n = in.size() / elem_size;
  for (size_t i = 0; i < n; ++i) {
    for (size_t p = 0; p < elem_size; ++p) out[p * n + i] = in[i * elem_size + p];
  }
  const size_t tail = n * elem_size;
  std::memcpy(out.data() + tail, in.data() + tail, in.size() - tail);
}

void unshuffle_bytes(std::span<const std::byte> in, std::span<std::byte> out, size_t elem_size) {
  check_sizes(in, out, elem_size);
  const size_t n = in.size() / elem_size;
  for (size_t p = 0; p < elem_size; ++p) {
    const std::byte* plane = in.data() + p * n;
    for (size_t i = 0; i < n; ++i) out[i * elem_size + p] = plane[i];
  }
  const size_t tail = n * elem_size;
  std::memcpy(out.data() + tail, in.data() + tail, in.size() - tail);
}

}  // namespace pixeldrill::codec

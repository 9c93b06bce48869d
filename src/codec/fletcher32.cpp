#include "codec/fletcher32.h"

#include <cstring>

namespace pixeldrill::codec {

// Same sums as H5_checksum_fletcher32: 16-bit big-endian words, reduced every
// 360 words so the 32-bit sums cannot overflow.
uint32_t hdf5_fletcher32(std::span<const std::byte> bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t len = bytes.size() / 2;
  uint32_t sum1 = 0, sum2 = 0;
  while (len) {
    size_t tlen = len > 360 ? 360 : len;
    len -= tlen;
    do {
      sum1 += static_cast<uint32_t>((data[0] << 8) | data[1]);
      data += 2;
      sum2 += sum1;
    } while (--tlen);
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (bytes.size() % 2) {
    sum1 += static_cast<uint32_t>(data[0] << 8);
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

bool fletcher32_ok(std::span<const std::byte> chunk) {
  if (chunk.size() < 4) return false;
  const auto body = chunk.first(chunk.size() - 4);
  const uint32_t want = hdf5_fletcher32(body);
  const auto* tail = reinterpret_cast<const uint8_t*>(chunk.data() + body.size());
  // Stored little-endian; files from HDF5 < 1.6.3 stored it byte-swapped.
  const uint32_t le = tail[0] | (tail[1] << 8) | (tail[2] << 16) | (uint32_t(tail[3]) << 24);
  const uint32_t be = tail[3] | (tail[2] << 8) | (tail[1] << 16) | (uint32_t(tail[0]) << 24);
  return want == le || want == be;
}

}  // namespace pixeldrill::codec

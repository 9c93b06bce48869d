#include "codec/block_crc.h"

#include <isa-l/crc.h>

#include <string>

#include "codec/inflate.h"
#include "codec/vector_state.h"

namespace pixeldrill::codec {

uint32_t crc32c(std::span<const std::byte> data) {
  // crc32_iscsi takes and returns the register without the final inversion.
  auto* p = reinterpret_cast<unsigned char*>(const_cast<std::byte*>(data.data()));
  uint32_t crc = 0xFFFFFFFFu;
  size_t left = data.size();
  while (left > 0) {  // its length is an int
    const int n = static_cast<int>(std::min<size_t>(left, size_t{1} << 30));
    crc = crc32_iscsi(p, n, crc);
    p += n;
    left -= static_cast<size_t>(n);
  }
  clear_upper_vector_state();
  return ~crc;
}

std::vector<uint32_t> block_crcs(std::span<const std::byte> data) {
  std::vector<uint32_t> out;
  out.reserve(crc_block_count(data.size()));
  for (uint64_t at = 0; at < data.size(); at += kCrcBlockSize) {
    out.push_back(crc32c(data.subspan(at, std::min<uint64_t>(kCrcBlockSize, data.size() - at))));
  }
  return out;
}

void verify_blocks(std::span<const std::byte> data, uint64_t offset, uint64_t total,
                   std::span<const uint32_t> crcs) {
  if (offset % kCrcBlockSize != 0) throw CodecError("CRC-32C check: unaligned read");
  if (crcs.size() != crc_block_count(total)) {
    throw CodecError("CRC-32C check: the index holds " + std::to_string(crcs.size()) +
                     " block checksums for a chunk of " + std::to_string(total) + " bytes");
  }
  for (uint64_t at = 0; at < data.size(); at += kCrcBlockSize) {
    const uint64_t n = std::min<uint64_t>(kCrcBlockSize, data.size() - at);
    const uint64_t block = (offset + at) / kCrcBlockSize;
    if (n < kCrcBlockSize && offset + at + n != total) {
      throw CodecError("CRC-32C check: read ends inside a block");
    }
    if (crc32c(data.subspan(at, n)) != crcs[block]) {
      throw CodecError("CRC-32C mismatch in 64 KiB block " + std::to_string(block) + " (bytes " +
                       std::to_string(offset + at) + ".." + std::to_string(offset + at + n) +
                       " of the chunk): the file changed since it was indexed (bit rot?)");
    }
  }
}

}  // namespace pixeldrill::codec

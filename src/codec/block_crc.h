#pragma once
// CRC-32C (Castagnoli, hardware-accelerated through isa-l's crc32_iscsi) of
// stored chunk bytes in fixed 64 KiB blocks. The index records them so a drill
// that stops inflating early -- and so never reaches the stream's adler32 --
// still detects bit rot in every byte it read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pixeldrill::codec {

inline constexpr uint64_t kCrcBlockSize = 64 * 1024;

// Standard CRC-32C (check value of "123456789" is 0xE3069283).
uint32_t crc32c(std::span<const std::byte> data);

// Number of 64 KiB blocks (the last one shorter) covering `size` bytes.
inline uint64_t crc_block_count(uint64_t size) {
  return (size + kCrcBlockSize - 1) / kCrcBlockSize;
}

// CRC-32C of each 64 KiB block of `data`.
std::vector<uint32_t> block_crcs(std::span<const std::byte> data);

// Checks the blocks wholly inside `data`, which holds the stored bytes
// [offset, offset + data.size()) of a chunk of `total` bytes; `offset` must be
// block-aligned and `data` must end on a block boundary or at `total`.
// Throws CodecError naming the block and its byte range on a mismatch.
void verify_blocks(std::span<const std::byte> data, uint64_t offset, uint64_t total,
                   std::span<const uint32_t> crcs);

}  // namespace pixeldrill::codec

#pragma once
// Reading and writing whole chunks of one array in a Directory, with Zarr's
// rule that an absent chunk means "all fill value": chunks holding nothing
// but fill are removed instead of written.
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "formats/zarr/array_meta.h"
#include "formats/zarr/directory.h"

namespace pixeldrill::zarr {

// The fill value as raw little-endian bytes of one item (zeros when null).
std::vector<std::byte> fill_bytes(const ArrayMeta& meta);
bool is_all_fill(const ArrayMeta& meta, std::span<const std::byte> raw);

// Called with a chunk's encoded bytes before its file is written (empty when
// the chunk is all fill and so removed): a store records checksums there.
using BeforeChunkWrite = std::function<void(std::span<const std::byte> encoded)>;

// Writes (or, when all fill, removes) chunk `index` of `array`. Returns the
// number of bytes written (0 when removed).
size_t write_chunk(const Directory& dir, const std::string& array, const ArrayMeta& meta,
                   const std::vector<uint64_t>& index, std::span<const std::byte> raw,
                   const BeforeChunkWrite& before_write = {});
// Decodes chunk `index` into `out` (chunk_items * item_size bytes); fills
// `out` with the fill value and returns false when the chunk is absent.
bool read_chunk(const Directory& dir, const std::string& array, const ArrayMeta& meta,
                const std::vector<uint64_t>& index, std::span<std::byte> out);

}  // namespace pixeldrill::zarr

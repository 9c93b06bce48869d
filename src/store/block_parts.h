#pragma once
// How `convert` under MPI shares its time blocks among ranks (docs/scaling.md):
// the blocks' chunk rows, block after block, cut into one consecutive piece
// per rank of about the same work. A rank gets whole blocks where the cuts
// allow and the chunk rows of a block shared with its neighbours otherwise,
// so every rank is busy even with fewer blocks than ranks (a one-year
// convert), and a block's source files are read by as few ranks as the
// balance needs (each reads only its rows' source chunks). Internal to store/.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/zarr/directory.h"
#include "store/chunk_manifest.h"
#include "store/convert_steps.h"

namespace pixeldrill::store::convert_detail {

// Chunk rows [row_begin, row_end) of blocks[block]: one rank's piece of work.
struct BlockPart {
  size_t block = 0;
  uint64_t row_begin = 0, row_end = 0;
  bool whole = false;  // every chunk row of the block: the rank owns the block
};

// Each rank's parts. A chunk row weighs the source values it reads (new steps
// x pixel rows); the cuts fall on the chunk-row boundaries nearest to equal
// shares, or on a block boundary within a quarter of a block of them. The
// same on every rank; it depends on the number of ranks.
std::vector<std::vector<BlockPart>> share_blocks(const std::vector<Block>& blocks, uint64_t ny,
                                                 uint64_t cy, int ranks);

// A part of a block finished by a rank that does not own the whole block:
// STORE/.pixeldrill/blocks/<block>.rows-A-B (block_marker() for a whole block).
std::filesystem::path part_marker(const std::filesystem::path& root, const Block& b,
                                  const BlockPart& part);

// What a finished part's marker holds: the files its rank skipped (damaged
// chunks) and, for a part of a shared block, its manifest records.
struct PartMarker {
  nlohmann::json skipped = nlohmann::json::array();
  std::vector<nlohmann::json> rows;
};
// nullopt when there is no marker, or a kill cut it short (the part is then
// written again).
std::optional<PartMarker> read_part_marker(const std::filesystem::path& path);
// Written whole or not at all (a temporary file renamed): `whole` keeps the
// format of a block marker, the skipped files alone.
void write_part_marker(const std::filesystem::path& path, const PartMarker& marker, bool whole);

// The manifest records a part wrote for chunk row `tc` of `array` (entries of
// its rows only), as JSON for its marker and for rank 0: the row's manifest
// is committed whole by rank 0 once every part has reported.
nlohmann::json part_records(const std::string& array, uint64_t tc,
                            const ChunkManifestWriter& manifest, size_t entry_begin,
                            size_t entry_end);
// Rank 0: commits the manifest of every row some parts sent records of.
void commit_shared_rows(const zarr::Directory& dir, const std::vector<nlohmann::json>& records);

}  // namespace pixeldrill::store::convert_detail

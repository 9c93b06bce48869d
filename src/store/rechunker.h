#pragma once
// The streaming transpose at the heart of `convert`: daily grids in, time-deep
// Zarr chunks out. For one variable and one time block (the steps of one
// time-chunk row) it reads every step's grid once, in bands of rows as tall
// as the source chunks (so each source chunk is inflated once), keeps a
// window of rows x steps x columns in memory, and emits every chunk row as
// soon as the window covers it. When the block's steps do not fit in
// --max-mem at once, they are taken in sub-blocks whose partial chunks are
// spooled (compressed) to scratch files and merged at the end of the block.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "formats/zarr/array_meta.h"
#include "formats/zarr/directory.h"
#include "store/chunk_manifest.h"
#include "store/value_encoding.h"

namespace pixeldrill::store {

// Fills `out` (rows [r0, r1) x all columns, row-major, store items) with the
// encoded values of new step `step` (0-based within the block's new steps).
using RowReader = std::function<void(size_t step, size_t r0, size_t r1, std::byte* out)>;

struct BlockSpec {
  std::string array;     // array name in the store
  zarr::ArrayMeta meta;  // with shape[0] >= block end; order 'F'
  ValueEncoding encoding;
  uint64_t time_chunk = 0;  // which time-chunk row this block fills
  uint64_t existing = 0;    // steps of that chunk row already in the store
  uint64_t new_steps = 0;   // steps to add after them
  size_t band_rows = 0;     // rows read per band (source chunk height)
  // Chunk rows [chunk_row_begin, chunk_row_end) only (an MPI rank's part of
  // the block): only their pixel rows are read and only their chunks written.
  uint64_t chunk_row_begin = 0, chunk_row_end = UINT64_MAX;
  size_t max_mem = size_t{2} << 30;
  unsigned threads = 2;
  std::filesystem::path scratch;  // for spool files; removed afterwards
  // Records every chunk of the row (entry cr * chunk columns + cc) before it
  // is written or removed; null for stores without a manifest.
  ChunkManifestWriter* manifest = nullptr;
  // Where the chunks are written; null: the store itself. A remote store's
  // chunks go to a local staging folder first and are uploaded by the
  // converter (existing steps are still read from the store).
  const zarr::Directory* output = nullptr;
};

struct BlockStats {
  uint64_t chunks_written = 0;
  uint64_t bytes_written = 0;
  uint64_t sub_blocks = 0;
  size_t band_rows = 0;
  size_t peak_buffer_bytes = 0;  // what the plan expected to hold
};

// Called after every chunk file written (the crash-test hook lives here).
using ChunkWritten = std::function<void()>;

BlockStats rechunk_block(const zarr::Directory& dir, const BlockSpec& spec, const RowReader& reader,
                         const ChunkWritten& on_chunk, const std::function<void(size_t)>& on_band);

}  // namespace pixeldrill::store

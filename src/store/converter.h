#pragma once
// `pixeldrill convert`: a collection of daily NetCDF grids into a Zarr v2
// store with time-deep chunks, resumable after a kill and extendable with
// --append (see docs/store.md).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/duplicates.h"
#include "parallel/communicator.h"

namespace pixeldrill::store {

// Deep in time (a year of steps, kDefaultTimeChunk), small in space: see
// docs/store.md for the measurement.
inline constexpr uint64_t kDefaultChunkY = 64, kDefaultChunkX = 64;

struct ConvertOptions {
  std::string source;                // collection folder, glob or file
  std::string store;                 // output directory, or s3://BUCKET/PREFIX
  std::string work_dir;              // S3 stores: local lock/spool/staging folder; "" = default
  std::vector<uint64_t> chunks;      // t, y, x; empty = default; t = 0: from time_chunk
  std::string time_chunk;            // duration or steps ("1y", "30d", "365"); empty = 1y
  std::string mode = "exact";        // exact | packed
  size_t max_mem = size_t{2} << 30;  // bytes
  std::vector<std::string> vars = {"sea_surface_temperature", "quality_level"};
  bool append = false;
  std::string codec = "blosc-zstd:1";
  size_t blosc_blocksize = 32768;  // bytes; 0 = blosc's automatic choice
  unsigned threads = 0;            // 0 = all cores
  bool progress = true;
  // direct: own parallel chunk decoding (libdeflate); netcdf: netCDF-C reads.
  std::string reader = "direct";
  // Two files with the same time step: refuse (default), first or newest.
  catalog::DuplicatePolicy duplicates = catalog::DuplicatePolicy::kRefuse;
};

struct ConvertReport {
  uint64_t steps_added = 0;
  uint64_t steps_total = 0;
  uint64_t chunks_written = 0;
  uint64_t bytes_written = 0;     // compressed chunk bytes
  uint64_t raw_bytes = 0;         // decoded values handled (store items)
  uint64_t sub_blocks = 0;        // > blocks when --max-mem forced spooling
  uint64_t spooled_blocks = 0;    // variable blocks that needed the spool
  uint64_t objects_uploaded = 0;  // S3 stores: chunk objects uploaded (metadata not counted)
  uint64_t bytes_uploaded = 0;
  double seconds = 0;
  std::vector<std::string> problems;  // unreadable source files, by name
  std::string summary;                // one human line
};

// With a communicator of several ranks (mpirun) each rank writes a consecutive
// share of the time blocks' chunk rows (store/block_parts.h) and rank 0 the
// shared metadata, the manifest rows of shared blocks and, last, the journal:
// the same store as one process writes. Only rank 0's report is complete.
ConvertReport convert(const ConvertOptions& options, parallel::Communicator* comm = nullptr);

// "2G", "512M", "1.5GiB", "100000" (bytes). Throws Error naming --max-mem.
size_t parse_size(const std::string& text, const std::string& option = "--max-mem");

}  // namespace pixeldrill::store

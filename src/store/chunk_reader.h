#pragma once
// A faster source read for `convert`: instead of netCDF-C (one thread at a
// time, zlib), take each file's HDF5 chunk table once (formats/hdf5) and
// inflate the chunks a band needs ourselves with libdeflate + unshuffle, on
// every worker thread at once. Each chunk of a band is inflated once, and the
// chunks of a band are fetched together (one round trip remotely). Local
// files or variables it cannot handle (other filters, big-endian, not (time,
// lat, lon)) fall back to the netCDF-C read, which gives the same numbers;
// remote ones are an Error naming the file and variable.
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/nc_metadata.h"
#include "formats/hdf5/chunk_index.h"
#include "store/value_encoding.h"

namespace pixeldrill::store {

struct Collection;

class ChunkReader {
 public:
  // A collection known from its chunk index (Collection::indexed) is read
  // with the index's chunk tables and byte sources, local or remote.
  explicit ChunkReader(const Collection& c);

  // Same contract as read_rows() in collection_scan.h.
  void read_rows(size_t file_index, const catalog::FileMetadata& file, const std::string& variable,
                 size_t index, size_t r0, size_t r1, const ValueEncoding& encoding, std::byte* out);

  // How many band reads went through our own decoder / through netCDF-C.
  size_t direct_reads() const { return direct_; }
  size_t fallback_reads() const { return fallback_; }

 private:
  const formats::hdf5::FileContents* table(size_t file_index, const std::string& path);

  const Collection& c_;
  std::vector<std::unique_ptr<formats::hdf5::FileContents>> tables_;
  std::vector<std::once_flag> locks_;
  std::atomic<size_t> direct_{0}, fallback_{0};
};

}  // namespace pixeldrill::store

#pragma once
// The fast backend: a chunk index (pixeldrill index) as SOURCE. Reads the
// raw bytes of only the chunks holding plan pixels, decodes shuffle + deflate
// itself (stopping the inflate once the needed prefix is out), and hands the
// stored numbers to the shared SeriesBuilder, so answers are bit-identical to
// the netCDF-C reference path.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "codec/inflate.h"
#include "drill/dataset_base.h"
#include "drill/index_file_driller.h"
#include "index/collection_index.h"
#include "index/mapped_index.h"
#include "io/byte_source.h"

namespace pixeldrill::drill {

struct IndexDrillOptions {
  codec::Inflater inflater = codec::Inflater::kAuto;
  unsigned threads = 0;  // 0: one per core
  ByteOpener open_bytes = io::open_file_source;
};

// The inflater the index drill uses unless PIXELDRILL_INFLATE names another.
codec::Inflater default_index_inflater();

// Counters of one drill, for benchmarks and tests.
struct IndexDrillStats {
  uint64_t chunks_decoded = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_inflated = 0;
  uint64_t bytes_needed = 0;  // prefixes holding the needed elements
  double read_seconds = 0;    // summed over threads: reading stored chunk bytes
  double decode_seconds = 0;  // summed over threads: inflating and unshuffling
};

class IndexDataset : public DatasetBase {
 public:
  IndexDataset(std::string path, std::shared_ptr<const index::MappedIndex> index,
               IndexDrillOptions options = {});
  // An index held in memory (tests, benchmarks), encoded and viewed the same way.
  IndexDataset(std::string path, const index::CollectionIndex& index,
               IndexDrillOptions options = {});
  bool refresh() override;
  // drill() with the counters of this query.
  Series drill_with_stats(const Query& query, IndexDrillStats* stats) const;
  std::shared_ptr<const index::MappedIndex> mapped_index() const;
  // The whole index decoded (every entry; for tests and tools, not drills).
  std::shared_ptr<const index::CollectionIndex> collection_index() const;
  struct State;  // the index, its description and the file stamp, swapped by refresh()

 protected:
  std::unique_ptr<QueryReader> reader_for(const Query& query) const override;

 private:
  std::shared_ptr<const State> state() const;

  std::string path_;
  IndexDrillOptions options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
};

// nullptr unless `spec` is a file starting with the index magic bytes.
std::shared_ptr<Dataset> open_index_dataset(const std::string& spec);

}  // namespace pixeldrill::drill

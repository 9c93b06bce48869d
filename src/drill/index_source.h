#pragma once
// The fast drill path: a chunk index (pixeldrill index) as SOURCE. Reads the
// raw bytes of only the chunks holding plan pixels, decodes shuffle + deflate
// itself (stopping the inflate once the needed prefix is out), and hands the
// stored numbers to the shared SeriesBuilder, so answers are bit-identical to
// the netCDF-C reference path.
#include <functional>
#include <memory>
#include <string>

#include "codec/inflate.h"
#include "drill/source.h"
#include "index/collection_index.h"
#include "io/byte_source.h"

namespace pixeldrill::drill {

// Opens the bytes of one indexed file; pread on local files today, the seam
// where an HTTP or S3 ByteSource plugs in.
using ByteOpener = std::function<std::unique_ptr<io::ByteSource>(const std::string& path)>;

struct IndexDrillOptions {
  codec::Inflater inflater = codec::Inflater::kAuto;
  unsigned threads = 0;  // 0: one per core
  ByteOpener open_bytes = io::open_file_source;
};

// The inflater the index drill uses unless PIXELDRILL_INFLATE names another.
codec::Inflater default_index_inflater();

class IndexSource : public DrillSource {
 public:
  IndexSource(std::string path, index::CollectionIndex index, IndexDrillOptions options = {})
      : path_(std::move(path)), index_(std::move(index)), options_(options) {}
  Series drill(const Query& query) override;
  std::string kind() const override { return "index"; }
  const index::CollectionIndex& collection_index() const { return index_; }

  // Counters of the last drill, for benchmarks and tests.
  struct Stats {
    uint64_t chunks_decoded = 0;
    uint64_t bytes_read = 0;
    uint64_t bytes_inflated = 0;
    uint64_t bytes_needed = 0;  // prefixes holding the needed elements
    double read_seconds = 0;    // summed over threads: reading stored chunk bytes
    double decode_seconds = 0;  // summed over threads: inflating and unshuffling
  };
  const Stats& last_stats() const { return stats_; }

 private:
  std::string path_;
  index::CollectionIndex index_;
  IndexDrillOptions options_;
  Stats stats_;
};

// nullptr unless `spec` is a file starting with the index magic bytes.
std::unique_ptr<DrillSource> open_index_source(const std::string& spec);

}  // namespace pixeldrill::drill

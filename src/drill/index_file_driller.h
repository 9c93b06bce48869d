#pragma once
// One indexed file's values for a plan: the chunks holding the plan's pixels,
// read by byte range (local or remote) and decoded by codec/, never by HDF5.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "codec/chunk_pipeline.h"
#include "drill/plan.h"
#include "drill/query.h"
#include "drill/series_builder.h"
#include "index/collection_index.h"
#include "io/byte_source.h"

namespace pixeldrill::drill {

// Opens the bytes of one indexed local file (pread; tests substitute their
// own). Remote files are opened through io/registry.h.
using ByteOpener = std::function<std::unique_ptr<io::ByteSource>(const std::string& path)>;

struct IndexDrillCounters {
  std::atomic<uint64_t> chunks{0}, read{0}, inflated{0}, needed{0}, read_ns{0}, decode_ns{0};
};

// Chunk buffers lent to the threads that inflate. A remote drill runs one
// thread per request in flight (tens of them) so that round trips overlap;
// with a buffer each, memory grew by a decoded chunk (6 MB for GHRSST) per
// request, and tens of threads inflating at once on 2 cores cost a third
// more CPU than two (docs/remote.md). Threads waiting on the network hold
// only compressed bytes; at most `slots` inflate at once.
class DecodeSlots {
 public:
  explicit DecodeSlots(size_t slots);

  class Lease {
   public:
    Lease(DecodeSlots* owner, std::unique_ptr<codec::DecodedChunk> chunk)
        : owner_(owner), chunk_(std::move(chunk)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    codec::DecodedChunk& chunk() { return *chunk_; }

   private:
    DecodeSlots* owner_;
    std::unique_ptr<codec::DecodedChunk> chunk_;
  };
  // Waits for a free slot.
  Lease acquire();

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<codec::DecodedChunk>> free_;
};

// Compressed bytes one drilling thread fetches before it waits for a decode
// slot: every chunk of a point's variables (~0.6 MB each for GHRSST); a box
// over many chunks, or a file of many time steps, reads the rest while it
// decodes, so a drill holds about --requests x this whatever the query.
// PIXELDRILL_FETCH_AHEAD_BYTES sets it (tests take it down to one chunk).
inline constexpr uint64_t kFetchAheadBytes = 2 << 20;
inline constexpr const char* kFetchAheadVariable = "PIXELDRILL_FETCH_AHEAD_BYTES";
uint64_t fetch_ahead_budget();

class IndexFileDriller {
 public:
  // `slots` null: decode in this driller's own buffer, reading as it goes
  // (local files). Otherwise every chunk's bytes are fetched first, all
  // variables in one read_many, and decoded under a lease.
  IndexFileDriller(const std::vector<index::Layout>& layouts, const Plan& plan,
                   const SeriesBuilder& builder, codec::Inflater engine, ByteOpener open_bytes,
                   IndexDrillCounters& counters, DecodeSlots* slots);
  ~IndexFileDriller();

  // The file's steps inside the query's time range, each with one
  // StoredValues per builder.read_variables(); nothing partial on failure.
  std::vector<std::pair<size_t, std::vector<StoredValues>>> drill(const index::FileEntry& f,
                                                                  const Query& query);

 private:
  struct VarPixels;
  struct VarWork;
  struct Fetched;
  using StepValues = std::vector<std::pair<size_t, std::vector<StoredValues>>>;

  void plan_variable(const index::FileEntry& f, const index::Layout& layout,
                     const index::VarLayout& var, const index::FileVar& fv,
                     const std::vector<size_t>& steps, VarWork& work);
  void fetch_ahead(const io::ByteSource& source, size_t nwork);
  void decode_variable(const index::FileEntry& f, const io::ByteSource& source, const VarWork& work,
                       codec::DecodedChunk& decoder, StepValues& out);
  const VarPixels& pixels_for(const index::FileEntry& f, const index::Layout& layout,
                              const index::VarLayout& var);

  const std::vector<index::Layout>& layouts_;
  const Plan& plan_;
  const SeriesBuilder& builder_;
  codec::Inflater engine_;
  ByteOpener open_bytes_;
  IndexDrillCounters& counters_;
  DecodeSlots* slots_;
  uint64_t ahead_budget_;
  codec::DecodedChunk decoded_;
  std::map<const index::VarLayout*, std::unique_ptr<VarPixels>> var_pixels_;
  std::vector<VarWork> work_;
  std::vector<Fetched> ahead_;
};

}  // namespace pixeldrill::drill

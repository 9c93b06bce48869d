#pragma once
// Which chunks a store wrote, with CRC-32C checksums of their stored bytes
// (16 KiB blocks; CRC-32C of codec/block_crc.h), so a drill tells a chunk that was never
// written (all fill, absent by Zarr's rule) from one that went missing or was
// altered, and verifies exactly the blocks it reads.
//
// One small binary file per array and chunk index along the first dimension
// (a time block of a data variable): STORE/.pixeldrill/chunks/ARRAY/ROW. A
// point drill reads one 16-byte entry and a few checksums from it per chunk
// it reads, never a whole-store manifest. A row being rewritten (a block
// appended to a part-filled time chunk) has a .pending file listing the new
// bytes' checksums, written before each new chunk file, so a drill running
// while the block is written (or after a kill -9) verifies either version.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/zarr/array_meta.h"
#include "formats/zarr/codec.h"
#include "formats/zarr/directory.h"
#include "io/byte_source.h"
#include "io/open_files.h"
#include "store/head_block_cache.h"

namespace pixeldrill::store {

inline constexpr const char* kChunkManifestDir = ".pixeldrill/chunks";

// What the manifest says of one chunk file.
struct ChunkRecord {
  uint64_t size = 0;           // 0: never written (all fill, so absent)
  std::vector<uint32_t> crcs;  // CRC-32C of each 16 KiB block of its bytes
  bool operator==(const ChunkRecord&) const = default;
};
ChunkRecord record_of(std::span<const std::byte> stored);

// Writes the manifest of one row (array, first chunk index) of `entries`
// chunks; entry = chunk index along the other dimensions, row-major.
class ChunkManifestWriter {
 public:
  ChunkManifestWriter(const zarr::Directory& dir, std::string array, uint64_t row, size_t entries);
  ~ChunkManifestWriter();
  ChunkManifestWriter(const ChunkManifestWriter&) = delete;
  ChunkManifestWriter& operator=(const ChunkManifestWriter&) = delete;
  // Before chunk file `entry` is written (or removed): its bytes (empty when
  // all fill) go to the row's .pending file and to memory. Thread-safe.
  void before_write(size_t entry, std::span<const std::byte> stored);
  // Writes the row's manifest atomically and removes the .pending file.
  void commit();
  // Remote stores: uploads the .pending object with every record so far, so
  // readers verify either version of a row whose chunks are about to be
  // replaced (the row's chunks were staged locally first, so all are known).
  void publish_pending();
  // What before_write recorded, by entry (size 0: all fill, absent).
  const std::vector<ChunkRecord>& records() const { return records_; }
  // The record of a chunk another process wrote (and put in .pending): MPI
  // ranks sharing a row send theirs to the one that commits it.
  void adopt(size_t entry, ChunkRecord record);

 private:
  const zarr::Directory& dir_;
  std::string array_;
  uint64_t row_;
  std::mutex mutex_;
  std::vector<ChunkRecord> records_;
  int pending_fd_ = -1;
  bool pending_published_ = false;
};

// The committed record of chunk `entry` of row `row`, and the records the
// row's .pending file holds for it (a block being written). nullopt when the
// row has no manifest file.
struct ChunkExpectation {
  std::optional<ChunkRecord> committed;
  std::vector<ChunkRecord> pending;
};
// How they are read. kOrdered: the .pending object, then the row, so a
// writer committing in between is never missed. kCommittedOnly: the row
// alone (one request, not two: the .pending object exists only while a
// writer replaces the row, or after one was killed doing so); the chunk's
// bytes then differ from the row and read_verified() reads again kOrdered.
enum class ManifestRead { kOrdered, kCommittedOnly };
ChunkExpectation read_chunk_expectation(const zarr::Directory& dir, const std::string& array,
                                        uint64_t row, size_t entry,
                                        ManifestRead how = ManifestRead::kOrdered);
// A chunk object checked against what the manifest expects. Absent + expected
// never-written: absent() is true (all fill). Absent but written, present but
// never written, another size, or a block whose CRC differs from every
// expected version: Error (ErrorKind::kCorrupt) naming the chunk. Reads load
// the whole 16 KiB blocks they touch, in one batch, each verified once.
class VerifiedChunk final : public io::ByteSource {
 public:
  // `source`: the chunk's bytes, nullptr when the object is absent. `heads`:
  // where its first block may already be, verified, and is kept once read.
  VerifiedChunk(std::string name, std::unique_ptr<io::ByteSource> source, ChunkExpectation expect,
                HeadBlockCache* heads = nullptr);

  bool absent() const { return !source_; }
  uint64_t size() const override { return size_; }
  void read(uint64_t offset, std::span<std::byte> out) const override;
  void read_many(std::span<const io::ReadRequest> reads) const override;
  const std::string& name() const override { return name_; }

 private:
  void load(const std::vector<uint64_t>& blocks) const;
  bool take_cached_head() const;
  void copy_out(uint64_t offset, std::span<std::byte> out) const;
  size_t block_size(uint64_t block) const;
  [[noreturn]] void damaged(const std::string& why) const;

  std::string name_;
  std::unique_ptr<io::ByteSource> source_;
  uint64_t size_ = 0;
  ChunkExpectation expect_;
  mutable std::mutex mutex_;
  HeadBlockCache* heads_ = nullptr;
  mutable std::vector<const ChunkRecord*> candidates_;  // expected versions still matching
  // Loaded blocks (nullptr: not yet read); block b holds min(16 KiB, size - b * 16 KiB) bytes.
  mutable std::vector<HeadBlockCache::Bytes> blocks_;
};

// Chunk `index` of `array` (metadata `meta`) checked against the store's
// manifest row; Error (kCorrupt) when the row has no manifest at all.
std::unique_ptr<VerifiedChunk> open_verified_chunk(const zarr::Directory& dir,
                                                   const std::string& array,
                                                   const zarr::ArrayMeta& meta,
                                                   const std::vector<uint64_t>& index,
                                                   ManifestRead how = ManifestRead::kOrdered);

// Committed records already read, kept by a process that drills one store
// many times (a server, per version of the store's metadata), so a chunk's
// manifest row is read once rather than once per query. Only read_verified's
// first try uses them; its careful retry reads the row anew and forgets the
// record, so a row replaced since is never trusted twice. Thread-safe;
// bounded (forgets everything when full).
class ManifestCache {
 public:
  std::optional<ChunkRecord> find(const std::string& array, uint64_t row, size_t entry) const;
  void put(const std::string& array, uint64_t row, size_t entry, const ChunkRecord& record);
  void forget(const std::string& array, uint64_t row, size_t entry);

 private:
  static std::string key(const std::string& array, uint64_t row, size_t entry);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ChunkRecord> records_;
};

// What a process that drills one store version many times keeps (a server,
// per version of the store's metadata): manifest records, verified first
// blocks and, for a local store, its chunk files open.
struct ReadCaches {
  ManifestCache manifests;
  HeadBlockCache heads;
  io::OpenFiles files;
};

// use(chunk) on chunk `index` checked against the manifest: first the quick
// way (the committed row only; remote and `whole`: the chunk fetched whole in
// the same round trip, for small chunks such as coordinates), and when that
// ends in kCorrupt, once more with the manifest read kOrdered and the chunk
// read anew. A row being replaced by a writer (an append running beside the
// drill, or killed) then gives the right bytes; a damaged chunk fails both
// times and its error is the second one's. `use` may run twice. Only bytes
// whose CRC-32C matches what the store wrote are ever handed to `use`.
// `caches`: used by the quick way only (first blocks and open files by local
// stores); the careful retry forgets the chunk's record and file, so a chunk
// replaced since either was kept is read anew.
void read_verified(const zarr::Directory& dir, const std::string& array,
                   const zarr::ArrayMeta& meta, const std::vector<uint64_t>& index, bool whole,
                   const std::function<void(VerifiedChunk&)>& use, ReadCaches* caches = nullptr);

}  // namespace pixeldrill::store

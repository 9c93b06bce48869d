#include "store/chunk_manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "codec/block_crc.h"
#include "core/error.h"
#include "core/parallel.h"

namespace pixeldrill::store {
namespace {
namespace fs = std::filesystem;

constexpr char kMagic[8] = {'P', 'D', 'X', 'C', 'H', 'K', 'S', '1'};
constexpr uint64_t kHeaderSize = 16;  // magic, entry count
constexpr uint64_t kEntrySize = 16;   // size, index of its first CRC

// Checksummed blocks of 16 KiB, not the index's 64 KiB: a point drill reads a
// blosc chunk's header and one compressed block (a few KiB), and every byte
// it checks is a byte it must read (bench: docs/reliability.md).
constexpr uint64_t kBlock = 16 * 1024;
uint64_t block_count(uint64_t size) { return (size + kBlock - 1) / kBlock; }
std::vector<uint32_t> block_crcs(std::span<const std::byte> data) {
  std::vector<uint32_t> out;
  for (uint64_t at = 0; at < data.size(); at += kBlock) {
    out.push_back(codec::crc32c(data.subspan(at, std::min<uint64_t>(kBlock, data.size() - at))));
  }
  return out;
}

// Manifest rows up to this size are read whole.
constexpr uint64_t kSmallRow = 64 * 1024;

std::string row_key(const std::string& array, uint64_t row) {
  return std::string(kChunkManifestDir) + "/" + array + "/" + std::to_string(row);
}

template <typename T>
void put(std::vector<std::byte>& out, T v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}
template <typename T>
T get(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The records of `want_entry` in a row's .pending file.
std::vector<ChunkRecord> parse_pending(const std::vector<std::byte>& bytes, size_t want_entry) {
  std::vector<ChunkRecord> out;
  size_t at = 0;
  while (at + 16 <= bytes.size()) {
    const auto entry = get<uint64_t>(bytes.data() + at);
    ChunkRecord r;
    r.size = get<uint64_t>(bytes.data() + at + 8);
    const uint64_t n = block_count(r.size);
    if (n > (bytes.size() - at - 16) / 4) break;  // a record cut by a kill
    for (uint64_t i = 0; i < n; ++i)
      r.crcs.push_back(get<uint32_t>(bytes.data() + at + 16 + i * 4));
    at += 16 + n * 4;
    if (entry == want_entry) out.push_back(std::move(r));
  }
  return out;
}

[[noreturn]] void bad_manifest(const std::string& path, const std::string& why) {
  throw Error(ErrorKind::kCorrupt, path + ": damaged chunk manifest: " + why);
}

}  // namespace

ChunkRecord record_of(std::span<const std::byte> stored) {
  return {stored.size(), block_crcs(stored)};
}

ChunkManifestWriter::ChunkManifestWriter(const zarr::Directory& dir, std::string array,
                                         uint64_t row, size_t entries)
    : dir_(dir), array_(std::move(array)), row_(row), records_(entries) {
  // Local: appended record by record as chunks are written. Remote (S3): an
  // object cannot be appended to, so the records are kept here and
  // publish_pending() uploads them whole before a row's chunks are replaced.
  if (dir_.remote()) return;
  const fs::path path = dir_.uri(row_key(array_, row_) + ".pending");
  fs::create_directories(path.parent_path());
  pending_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (pending_fd_ < 0) {
    throw Error(path.string() + ": cannot create the chunk manifest: " + std::strerror(errno));
  }
}

ChunkManifestWriter::~ChunkManifestWriter() {
  if (pending_fd_ >= 0) ::close(pending_fd_);
}

namespace {
std::vector<std::byte> pending_record(size_t entry, const ChunkRecord& r) {
  std::vector<std::byte> rec;
  put<uint64_t>(rec, entry);
  put<uint64_t>(rec, r.size);
  for (uint32_t c : r.crcs) put<uint32_t>(rec, c);
  return rec;
}
}  // namespace

void ChunkManifestWriter::publish_pending() {
  std::lock_guard lock(mutex_);
  std::vector<std::byte> all;
  for (size_t e = 0; e < records_.size(); ++e) {
    const auto rec = pending_record(e, records_[e]);
    all.insert(all.end(), rec.begin(), rec.end());
  }
  dir_.write(row_key(array_, row_) + ".pending", all);
  pending_published_ = true;
}

void ChunkManifestWriter::before_write(size_t entry, std::span<const std::byte> stored) {
  ChunkRecord r = record_of(stored);
  const std::vector<std::byte> rec = pending_record(entry, r);
  std::lock_guard lock(mutex_);
  if (pending_fd_ < 0) {  // remote: kept for publish_pending()
    records_.at(entry) = std::move(r);
    return;
  }
  // One write per record (O_APPEND): a kill leaves whole records or a cut
  // last one, which the reader ignores.
  if (::write(pending_fd_, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size())) {
    throw Error(dir_.uri(row_key(array_, row_) + ".pending") +
                ": cannot write the chunk manifest: " + std::strerror(errno));
  }
  records_.at(entry) = std::move(r);
}

void ChunkManifestWriter::adopt(size_t entry, ChunkRecord record) {
  std::lock_guard lock(mutex_);
  records_.at(entry) = std::move(record);
}

void ChunkManifestWriter::commit() {
  std::lock_guard lock(mutex_);
  std::vector<std::byte> out(8);
  std::memcpy(out.data(), kMagic, 8);
  put<uint64_t>(out, records_.size());
  uint64_t crc_index = 0;
  for (const auto& r : records_) {
    put<uint64_t>(out, r.size);
    put<uint64_t>(out, crc_index);
    crc_index += r.crcs.size();
  }
  for (const auto& r : records_) {
    for (uint32_t c : r.crcs) put<uint32_t>(out, c);
  }
  dir_.write(row_key(array_, row_), out);
  if (pending_fd_ >= 0) {
    ::close(pending_fd_);
    pending_fd_ = -1;
  } else if (!pending_published_) {
    return;  // remote, nothing pending to remove
  }
  dir_.remove(row_key(array_, row_) + ".pending");
}

ChunkExpectation read_chunk_expectation(const zarr::Directory& dir, const std::string& array,
                                        uint64_t row, size_t entry, ManifestRead how) {
  ChunkExpectation e;
  const std::string key = row_key(array, row);
  const std::string path = dir.uri(key);
  // Remote: the whole row in one request, not a size request and three reads
  // (each a round trip); locally three small preads of a file that may be large.
  // kOrdered reads the .pending object first: a block committed between the
  // two reads then shows as the new row (read second), and one committed
  // before as no .pending and the new row; read the other way round, a commit
  // in between would leave neither the old row nor the new bytes' checksums.
  std::optional<std::vector<std::byte>> pending;
  if (how == ManifestRead::kOrdered) pending = dir.read(key + ".pending");
  std::optional<std::vector<std::byte>> whole;
  std::unique_ptr<io::ByteSource> f;
  if (dir.remote()) {
    whole = dir.read(key);
  } else if ((f = dir.open(key)) && f->size() <= kSmallRow) {
    // A small row (a store of a few hundred chunks per time block) in one
    // pread instead of three: a 30-year point drill reads 90 rows.
    whole.emplace(f->size());
    f->read(0, *whole);
    f.reset();
  }
  if (whole || f) {
    const uint64_t size = whole ? whole->size() : f->size();
    auto read_at = [&](uint64_t offset, std::byte* out, size_t n) {
      if (offset > size || n > size - offset) bad_manifest(path, "cut short");
      if (whole) {
        std::memcpy(out, whole->data() + offset, n);
      } else {
        f->read(offset, std::span(out, n));
      }
    };
    std::byte header[kHeaderSize + kEntrySize];
    if (size < kHeaderSize) bad_manifest(path, "no manifest header");
    read_at(0, header, kHeaderSize);
    if (std::memcmp(header, kMagic, 8) != 0) bad_manifest(path, "no manifest header");
    const auto entries = get<uint64_t>(header + 8);
    if (entry >= entries) bad_manifest(path, "no entry " + std::to_string(entry));
    if (entries > size / kEntrySize) bad_manifest(path, "cut short");
    read_at(kHeaderSize + entry * kEntrySize, header + kHeaderSize, kEntrySize);
    ChunkRecord r;
    r.size = get<uint64_t>(header + kHeaderSize);
    const auto first = get<uint64_t>(header + kHeaderSize + 8);
    const uint64_t n = block_count(r.size);
    if (n > size / 4 || first > size / 4) bad_manifest(path, "absurd chunk size");
    r.crcs.resize(n);
    if (n) {
      read_at(kHeaderSize + entries * kEntrySize + first * 4,
              reinterpret_cast<std::byte*>(r.crcs.data()), n * 4);
    }
    e.committed = std::move(r);
  }
  if (pending) e.pending = parse_pending(*pending, entry);
  return e;
}

VerifiedChunk::VerifiedChunk(std::string name, std::unique_ptr<io::ByteSource> source,
                             ChunkExpectation expect, HeadBlockCache* heads)
    : name_(std::move(name)),
      source_(std::move(source)),
      expect_(std::move(expect)),
      heads_(heads) {
  std::vector<const ChunkRecord*> all;
  if (expect_.committed) all.push_back(&*expect_.committed);
  for (const auto& p : expect_.pending) all.push_back(&p);
  if (!source_) {
    for (const auto* r : all) {
      if (r->size == 0) return;  // never written: all fill
    }
    damaged("chunk file is missing (the store wrote " + std::to_string(all.front()->size) +
            " bytes there)");
  }
  size_ = source_->size();
  for (const auto* r : all) {
    if (r->size == size_ && size_ > 0) candidates_.push_back(r);
  }
  if (candidates_.empty()) {
    const uint64_t expected = all.front()->size;
    damaged(expected == 0 ? "the store never wrote this chunk (all fill), yet a file of " +
                                std::to_string(size_) + " bytes is there"
                          : "chunk file is " + std::to_string(size_) + " bytes; the store wrote " +
                                std::to_string(expected));
  }
  blocks_.resize(block_count(size_));
}

size_t VerifiedChunk::block_size(uint64_t b) const {
  return static_cast<size_t>(std::min<uint64_t>(kBlock, size_ - b * kBlock));
}

void VerifiedChunk::damaged(const std::string& why) const {
  throw Error(ErrorKind::kCorrupt,
              name_ + ": damaged store chunk: " + why + " (see docs/reliability.md)");
}

// Block 0 from `heads_` when it holds it with a CRC one of the candidates
// expects; the candidates are then the ones expecting that CRC.
bool VerifiedChunk::take_cached_head() const {
  for (const ChunkRecord* r : candidates_) {
    const uint32_t crc = r->crcs.at(0);
    if (auto bytes = heads_->find(name_, size_, crc)) {
      std::erase_if(candidates_, [&](const ChunkRecord* c) { return c->crcs.at(0) != crc; });
      blocks_[0] = std::move(bytes);
      return true;
    }
  }
  return false;
}

// Loads the blocks not yet held, in one batch, and checks each against the
// expected versions still in the running. Called with mutex_ held.
void VerifiedChunk::load(const std::vector<uint64_t>& wanted) const {
  std::vector<uint64_t> missing;
  for (uint64_t b : wanted) {
    if (blocks_.at(b) || (!missing.empty() && missing.back() == b)) continue;
    if (b == 0 && heads_ && take_cached_head()) continue;
    missing.push_back(b);
  }
  if (missing.empty()) return;
  // Uninitialised (new[] without ()): the read overwrites every byte, and
  // zero-filling them first was 4% of a point drill's instructions.
  std::vector<std::unique_ptr<std::byte[]>> bytes(missing.size());
  std::vector<io::ReadRequest> reads;
  for (size_t i = 0; i < missing.size(); ++i) {
    bytes[i].reset(new std::byte[block_size(missing[i])]);
    reads.push_back({missing[i] * kBlock, std::span(bytes[i].get(), block_size(missing[i]))});
  }
  try {
    source_->read_many(reads);
  } catch (const Error& e) {
    // Opened with the manifest's size and no request (a remote store): the
    // object's absence shows here.
    if (e.kind() != ErrorKind::kNotFound) throw;
    damaged("chunk file is missing (the store wrote " + std::to_string(size_) + " bytes there)");
  }
  for (size_t i = 0; i < missing.size(); ++i) {
    const uint64_t b = missing[i];
    const uint32_t crc = codec::crc32c(reads[i].out);
    std::erase_if(candidates_, [&](const ChunkRecord* r) { return r->crcs.at(b) != crc; });
    if (candidates_.empty()) {
      damaged("CRC-32C of bytes " + std::to_string(b * kBlock) + ".." +
              std::to_string(b * kBlock + reads[i].out.size()) +
              " differs from the store's manifest (altered after it was written)");
    }
    blocks_[b] = std::move(bytes[i]);
    if (b == 0 && heads_) heads_->put(name_, size_, crc, blocks_[0], block_size(0));
  }
}

void VerifiedChunk::copy_out(uint64_t offset, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t at = offset + done;
    const std::byte* bytes = blocks_[at / kBlock].get();
    const uint64_t in = at % kBlock;
    const size_t n = std::min<size_t>(out.size() - done, block_size(at / kBlock) - in);
    std::memcpy(out.data() + done, bytes + in, n);
    done += n;
  }
}

void VerifiedChunk::read(uint64_t offset, std::span<std::byte> out) const {
  const io::ReadRequest one{offset, out};
  read_many(std::span(&one, 1));
}

void VerifiedChunk::read_many(std::span<const io::ReadRequest> reads) const {
  if (absent()) damaged("read of a chunk that was never written");
  std::vector<uint64_t> wanted;
  for (const auto& r : reads) {
    if (r.offset > size_ || r.out.size() > size_ - r.offset) damaged("read past the end");
    if (r.out.empty()) continue;
    for (uint64_t b = r.offset / kBlock; b <= (r.offset + r.out.size() - 1) / kBlock; ++b) {
      wanted.push_back(b);
    }
  }
  std::sort(wanted.begin(), wanted.end());
  std::lock_guard lock(mutex_);
  load(wanted);
  for (const auto& r : reads) copy_out(r.offset, r.out);
}

namespace {

// The manifest entry of chunk `index`: its place in its row, row-major.
size_t entry_of(const zarr::ArrayMeta& meta, const std::vector<uint64_t>& index) {
  const auto grid = meta.chunk_grid();
  size_t entry = 0;
  for (size_t d = 1; d < index.size(); ++d) entry = entry * grid.at(d) + index[d];
  return entry;
}

void require_manifest(const ChunkExpectation& expect, const zarr::Directory& dir,
                      const std::string& array, const std::vector<uint64_t>& index) {
  if (expect.committed || !expect.pending.empty()) return;
  throw Error(ErrorKind::kCorrupt,
              dir.uri(array + "/" + zarr::chunk_key(index)) +
                  ": damaged store: its chunk manifest " + dir.uri(row_key(array, index[0])) +
                  " is missing, so the chunk cannot be checked (see docs/reliability.md)");
}

// The first bytes a chunk read needs (a blosc header and block table; a
// 16 KiB checksum block holds them) fetched beside the manifest row.
constexpr uint64_t kHeadBytes = 64 * 1024;
// A range no object reaches the end of: the whole object, in one GET that
// also gives its size.
constexpr uint64_t kWholeObject = uint64_t{1} << 62;

// The chunk checked against `expect`.
std::unique_ptr<VerifiedChunk> open_against(const zarr::Directory& dir, const std::string& array,
                                            const std::vector<uint64_t>& index,
                                            ChunkExpectation expect, ReadCaches* caches = nullptr) {
  const std::string key = array + "/" + zarr::chunk_key(index);
  require_manifest(expect, dir, array, index);
  // One expected size (the usual case): opened without asking the server
  // for it, every answer checked against it.
  std::vector<uint64_t> sizes;
  if (expect.committed) sizes.push_back(expect.committed->size);
  for (const auto& p : expect.pending) sizes.push_back(p.size);
  const bool one_size =
      sizes.front() > 0 &&
      std::all_of(sizes.begin(), sizes.end(), [&](uint64_t s) { return s == sizes.front(); });
  auto source = caches && !dir.remote() ? dir.open_kept(key, caches->files)
                : one_size              ? dir.open(key, sizes.front())
                                        : dir.open(key);
  return std::make_unique<VerifiedChunk>(dir.uri(key), std::move(source), std::move(expect),
                                         caches ? &caches->heads : nullptr);
}

// The committed record alone, from `cache` when it holds it.
ChunkExpectation quick_expectation(const zarr::Directory& dir, const std::string& array,
                                   uint64_t row, size_t entry, ManifestCache* cache) {
  ChunkExpectation e;
  if (cache && (e.committed = cache->find(array, row, entry))) return e;
  e = read_chunk_expectation(dir, array, row, entry, ManifestRead::kCommittedOnly);
  if (cache && e.committed) cache->put(array, row, entry, *e.committed);
  return e;
}

// A remote chunk opened in the same round trip as its manifest row is read:
// fetched whole (`whole`: small chunks such as coordinates) or its head.
std::unique_ptr<VerifiedChunk> open_side_by_side(const zarr::Directory& dir,
                                                 const std::string& array, size_t entry,
                                                 const std::vector<uint64_t>& index, bool whole,
                                                 ManifestCache* cache) {
  const std::string key = array + "/" + zarr::chunk_key(index);
  ChunkExpectation expect;
  std::unique_ptr<io::ByteSource> source;
  parallel_for(2, 2, [&](size_t i) {
    if (i == 0) {
      expect = quick_expectation(dir, array, index.at(0), entry, cache);
    } else {
      source = dir.open_head(key, whole ? kWholeObject : kHeadBytes);
    }
  });
  require_manifest(expect, dir, array, index);
  return std::make_unique<VerifiedChunk>(dir.uri(key), std::move(source), std::move(expect));
}

}  // namespace

std::string ManifestCache::key(const std::string& array, uint64_t row, size_t entry) {
  return array + '/' + std::to_string(row) + '/' + std::to_string(entry);
}

std::optional<ChunkRecord> ManifestCache::find(const std::string& array, uint64_t row,
                                               size_t entry) const {
  std::lock_guard lock(mutex_);
  const auto it = records_.find(key(array, row, entry));
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

void ManifestCache::put(const std::string& array, uint64_t row, size_t entry,
                        const ChunkRecord& record) {
  // A record of a 2 MB chunk holds 128 checksums: ~0.7 KB, so ~70 MB at most.
  constexpr size_t kMaxRecords = 100'000;
  std::lock_guard lock(mutex_);
  if (records_.size() >= kMaxRecords) records_.clear();
  records_.insert_or_assign(key(array, row, entry), record);
}

void ManifestCache::forget(const std::string& array, uint64_t row, size_t entry) {
  std::lock_guard lock(mutex_);
  records_.erase(key(array, row, entry));
}

void read_verified(const zarr::Directory& dir, const std::string& array,
                   const zarr::ArrayMeta& meta, const std::vector<uint64_t>& index, bool whole,
                   const std::function<void(VerifiedChunk&)>& use, ReadCaches* caches) {
  const size_t entry = entry_of(meta, index);
  ManifestCache* records = caches ? &caches->manifests : nullptr;
  try {
    const auto chunk =
        dir.remote()
            ? open_side_by_side(dir, array, entry, index, whole, records)
            : open_against(dir, array, index,
                           quick_expectation(dir, array, index.at(0), entry, records), caches);
    use(*chunk);
    return;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kCorrupt) throw;
  }
  if (caches) {
    caches->manifests.forget(array, index.at(0), entry);
    caches->files.forget(dir.uri(array + "/" + zarr::chunk_key(index)));
  }
  const auto chunk = open_verified_chunk(dir, array, meta, index, ManifestRead::kOrdered);
  use(*chunk);
}

std::unique_ptr<VerifiedChunk> open_verified_chunk(const zarr::Directory& dir,
                                                   const std::string& array,
                                                   const zarr::ArrayMeta& meta,
                                                   const std::vector<uint64_t>& index,
                                                   ManifestRead how) {
  return open_against(dir, array, index,
                      read_chunk_expectation(dir, array, index.at(0), entry_of(meta, index), how));
}

}  // namespace pixeldrill::store

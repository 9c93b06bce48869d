#pragma once
// A chunk index opened in O(1): the file is memory-mapped and nothing is
// decoded up front but its small metadata section (grids, layout groups,
// per-group and per-product summaries). Per-file entries are fixed-size
// records decoded when a query touches them; the files of a time range are
// found by binary search in a time-sorted section. Every 64 KiB block of the
// file carries a CRC-32C, checked the first time any byte of it is used, so
// a one-day query over 100,000 files reads and checks a few blocks, not the
// whole index. Format version 3: docs/index.md. A version-2 file is decoded
// whole and re-encoded in memory (slower to open, same answers).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/collection_index.h"

namespace pixeldrill::index {

// What describing the whole index needs, per layout group, without visiting
// every file.
struct LayoutSummary {
  uint32_t first_file = UINT32_MAX;             // lowest file number in the group
  uint64_t files = 0, steps = 0;                // files and time steps in the group
  std::vector<catalog::StorageType> var_types;  // packing type of each variable in first_file
};

// Files sharing a GHRSST product key (catalog::product_key), keys sorted.
struct ProductGroup {
  std::string key;
  uint64_t files = 0;
  uint32_t first = UINT32_MAX, second = UINT32_MAX;  // the first two files, as examples
};

inline constexpr uint32_t kNoProduct = UINT32_MAX;

class MappedIndex {
 public:
  // Throws Error naming `path` (missing, wrong magic, unknown or retired
  // version, truncated, header or metadata checksum mismatch).
  static std::shared_ptr<const MappedIndex> open(const std::string& path);
  // The same view over an index held in memory (encoded to version 3).
  static std::shared_ptr<const MappedIndex> in_memory(const CollectionIndex& index,
                                                      std::string name);
  // The same view over the bytes of a version-3 file held in memory (how the
  // ranks of an MPI run hand their share to rank 0); `name` names it in errors.
  static std::shared_ptr<const MappedIndex> from_bytes(std::string bytes, std::string name);
  ~MappedIndex();
  MappedIndex(const MappedIndex&) = delete;
  MappedIndex& operator=(const MappedIndex&) = delete;

  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }  // of the file it was opened from
  const std::string& collection() const { return collection_; }
  const std::vector<catalog::Grid>& grids() const { return grids_; }
  const std::vector<Layout>& layouts() const { return layouts_; }
  const std::vector<std::string>& problems() const { return problems_; }
  const std::vector<LayoutSummary>& summaries() const { return summaries_; }
  const std::vector<ProductGroup>& products() const { return products_; }
  const std::vector<uint32_t>& unnamed_files() const { return unnamed_; }  // no product key

  size_t file_count() const { return file_count_; }
  std::string path(size_t file) const;
  uint32_t layout_of(size_t file) const;
  int64_t mtime_ns(size_t file) const;
  std::string etag(size_t file) const;     // empty: local, none given, or an older index
  uint32_t product_of(size_t file) const;  // into products(), or kNoProduct
  std::vector<int64_t> times(size_t file) const;
  // The whole entry: chunk records, packing, checksums.
  FileEntry file(size_t file) const;

  // Numbers (ascending) of the files with a time step in [from, to].
  std::vector<uint32_t> files_between(std::optional<int64_t> from, std::optional<int64_t> to) const;
  // Every time step of the files whose layout group passes `keep`, ascending.
  std::vector<int64_t> times_where(const std::function<bool(uint32_t layout)>& keep) const;
  // Everything, decoded and checked (every block's CRC-32C).
  CollectionIndex decode_all() const;

  struct Record;

 private:
  MappedIndex() = default;
  void map_file(const std::string& path);
  void parse();
  // `len` bytes at absolute `offset`, inside section `s`, their blocks checked.
  const char* bytes(int section, uint64_t offset, uint64_t len) const;
  void check_blocks(uint64_t from, uint64_t to) const;
  Record record(size_t file) const;
  [[noreturn]] void inconsistent(const std::string& what) const;

  std::string name_;
  uint32_t version_ = 0;
  std::string owned_;  // in-memory and version-2 indexes
  void* map_ = nullptr;
  const char* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t body_ = 0, crc_at_ = 0;
  struct Section {
    uint64_t offset = 0, length = 0;
  };
  Section sections_[8];  // by kind (1..7); kETags (7) is empty in older files
  std::unique_ptr<std::atomic<uint8_t>[]> checked_;  // per 64 KiB body block
  size_t file_count_ = 0;

  std::string collection_;
  std::vector<catalog::Grid> grids_;
  std::vector<Layout> layouts_;
  std::vector<std::string> problems_;
  std::vector<LayoutSummary> summaries_;
  std::vector<ProductGroup> products_;
  std::vector<uint32_t> unnamed_;
};

}  // namespace pixeldrill::index

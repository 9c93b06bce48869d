#pragma once
// The index file formats behind read_index / write_index / MappedIndex:
// version 2 (one CRC-32 over one payload, decoded whole) is still read;
// version 3 (sections, fixed-size file records, lazily checked 64 KiB block
// CRCs) is written. docs/index.md describes both.
#include <cstdint>
#include <string>

#include "index/collection_index.h"

namespace pixeldrill::index::format {

inline constexpr uint32_t kVersion2 = 2;
inline constexpr uint32_t kVersion3 = 3;

// Version 3 header: magic, u32 version, u32 section count, u64 file size,
// u64 body offset, u64 CRC table offset, u32 CRC-32C of the CRC table, u32
// CRC-32C of the header's first 44 bytes and the section table; then the
// section table (u32 kind, u32 zero, u64 offset, u64 length each), the body
// (the sections, 8-byte aligned) and the CRC-32C of every 64 KiB body block.
inline constexpr size_t kHeaderV3 = 64;
inline constexpr size_t kSectionEntry = 24;
enum Section : uint32_t {
  kMeta = 1,       // collection, grids, layouts, problems, summaries, products
  kFiles = 2,      // one 64-byte Record per file, sorted by path
  kStrings = 3,    // file paths
  kTimes = 4,      // per file: raw time values (f64) then Unix seconds (i64)
  kTimeOrder = 5,  // every (time i64, file u32, layout u32), sorted by time then file
  kFileData = 6,   // per file: its variables (codec_detail::put_file_vars)
  kETags = 7,      // per file: offset u64 and length u32 (+ u32 zero) of its ETag in kStrings
};
// Written: all seven. Read: six (indexes written before ETags) or seven.
inline constexpr uint32_t kSectionCount = 7;
inline constexpr uint32_t kSectionCountNoETags = 6;

// A file's entry in the kETags section (empty for local files).
struct ETagRecord {
  uint64_t offset;
  uint32_t length;
  uint32_t zero;
};
static_assert(sizeof(ETagRecord) == 16);

// A file's fixed-size entry; offsets are relative to their section.
struct FileRecord {
  uint64_t path_offset;
  uint32_t path_length;
  uint32_t layout;
  uint64_t size;
  int64_t mtime_ns;
  uint64_t times_offset;
  uint32_t steps;
  uint32_t product;
  uint64_t data_offset;
  uint64_t data_length;
};
static_assert(sizeof(FileRecord) == 64);

struct TimeOrderRecord {
  int64_t time;
  uint32_t file;
  uint32_t layout;
};
static_assert(sizeof(TimeOrderRecord) == 16);

// Decodes a whole version-2 file (`bytes`, header included).
CollectionIndex decode_v2(const char* bytes, size_t size, const std::string& path);

// The bytes of a version-3 file holding `index`.
std::string encode_v3(const CollectionIndex& index);

}  // namespace pixeldrill::index::format

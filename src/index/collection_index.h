#pragma once
// The chunk index of a whole collection: for every NetCDF-4 file its path,
// size and modification time, time steps, per-variable packing and the byte
// range of every chunk. Dataset descriptions shared by many files (type,
// shape, chunking, filters, CF attributes) are stored once per layout group,
// and grids once per distinct grid, so 10,000 daily files stay compact.
// Binary format: see docs/index.md (magic "PXDRIDX\0", version, crc32).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "catalog/packing.h"
#include "formats/hdf5/chunk_index.h"

namespace pixeldrill::index {

inline constexpr char kMagic[8] = {'P', 'X', 'D', 'R', 'I', 'D', 'X', '\0'};
// 2: CRC-32C per 64 KiB block of every chunk (FileVar::block_crcs).
// 3: sections, fixed-size file records, memory-mapped (index/mapped_index.h).
inline constexpr uint32_t kFormatVersion = 3;

// One dataset as shared by every file of a layout group.
struct VarLayout {
  std::string name;
  catalog::StorageType type = catalog::StorageType::kFloat32;
  bool big_endian = false;
  std::vector<std::string> dims;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> chunk_shape;
  std::vector<formats::hdf5::Filter> filters;
  std::optional<double> hdf5_fill;
  std::string attrs_json;   // CF attributes except the per-file packing ones
  std::string unsupported;  // non-empty: the drill refuses this variable

  uint64_t chunk_count() const;
  std::vector<uint64_t> chunk_grid() const;
  // A text attribute of attrs_json ("" when absent or not text).
  std::string text_attribute(const char* key) const;
  bool operator==(const VarLayout&) const = default;
};

struct Layout {
  uint32_t grid = 0;  // index into CollectionIndex::grids
  std::string lat_name, lon_name, time_name;
  std::vector<VarLayout> vars;
  std::string global_attrs_json;  // of the first file indexed in this group

  const VarLayout* find(const std::string& name, size_t* index = nullptr) const;
  // A gridded data variable, as catalog::read_metadata counts them: lat and
  // lon among its dimensions, not a coordinate, of a number type.
  bool is_data_variable(const VarLayout& v) const;
  // A short human name: "time x lat x lon, chunks 1x1500x2000 (short) ..."
  std::string describe() const;
};

struct FileVar {
  catalog::Packing packing;
  std::vector<formats::hdf5::ChunkRef> chunks;  // row-major over the chunk grid
  std::vector<std::byte> inline_data;           // compact datasets only
  // CRC-32C of every 64 KiB block of every stored chunk, chunk after chunk
  // (codec::crc_block_count(size) each; none for unwritten chunks).
  std::vector<uint32_t> block_crcs;  // empty for files indexed over the network

  // The checksums of chunk `c`; empty when the index holds none for it.
  std::span<const uint32_t> crcs_of(size_t c) const;
};

struct FileEntry {
  std::string path;  // absolute
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string etag;  // remote objects, when the server gives one (a changed object is named)
  uint32_t layout = 0;
  std::vector<double> time_raw;  // time coordinate values as stored
  std::vector<int64_t> times;    // the same, as Unix seconds UTC
  std::vector<FileVar> vars;     // parallel to Layout::vars
};

struct CollectionIndex {
  std::string collection;  // the COLLECTION argument it was built from (absolute)
  std::vector<catalog::Grid> grids;
  std::vector<Layout> layouts;
  std::vector<FileEntry> files;       // sorted by path
  std::vector<std::string> problems;  // files that could not be indexed, with reasons
};

// Serialises to `path` atomically (temp file + rename).
void write_index(const CollectionIndex& index, const std::string& path);
// Throws Error naming `path` for a missing file, wrong magic, unknown
// version, failed checksum or truncated content.
CollectionIndex read_index(const std::string& path);
// The index's content without header and checksum, and back (`what` names it
// in errors): how the ranks of an MPI run hand their share to rank 0.
std::string encode_index(const CollectionIndex& index);
CollectionIndex decode_index(const char* payload, size_t size, const std::string& what);
// True when the file starts with the index magic bytes.
bool is_index_file(const std::string& path);

}  // namespace pixeldrill::index

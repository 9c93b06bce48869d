#pragma once
// What an HDF5 (NetCDF-4) file holds, as far as reading its chunks directly
// needs: per dataset the type, dimensions, chunk shape, filter pipeline, CF
// attributes and every chunk's byte offset, stored size and filter mask.
// Read through the HDF5 C API (H5Dget_chunk_info) only, which is thread-safe
// in Debian's build, unlike netCDF-C.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/packing.h"
#include "io/byte_source.h"

namespace pixeldrill::formats::hdf5 {

// HDF5 filter identifiers pixeldrill decodes itself.
inline constexpr uint32_t kFilterDeflate = 1;
inline constexpr uint32_t kFilterShuffle = 2;
inline constexpr uint32_t kFilterFletcher32 = 3;

struct Filter {
  uint32_t id = 0;
  uint32_t flags = 0;
  std::string name;
  std::vector<uint32_t> params;  // client data, e.g. {3} for deflate level 3
  bool operator==(const Filter&) const = default;
};

// A chunk not yet written has no storage and reads as the fill value.
inline constexpr uint64_t kNoStorage = ~uint64_t{0};

struct ChunkRef {
  uint64_t offset = kNoStorage;  // byte offset in the file
  uint32_t size = 0;             // stored (filtered) bytes
  uint32_t filter_mask = 0;      // bit i set: filter i of the pipeline skipped
  bool operator==(const ChunkRef&) const = default;
};

struct Dataset {
  std::string name;
  formats::StorageType type = formats::StorageType::kFloat32;
  bool big_endian = false;
  std::vector<std::string> dims;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> chunk_shape;  // == shape for contiguous storage (one chunk)
  std::vector<Filter> filters;
  std::optional<double> hdf5_fill;     // fill of unwritten chunks, in stored units
  nlohmann::ordered_json attrs;        // every user attribute (CF), numbers and text
  formats::Packing packing;            // from attrs, as netCDF-C would read them
  std::vector<ChunkRef> chunks;        // row-major over the chunk grid
  std::vector<std::byte> inline_data;  // compact storage: the raw bytes
  std::string unsupported;             // non-empty: why pixeldrill cannot decode it
  std::vector<double> coord_values;    // 1-D coordinate variables (name == dim): values

  bool is_coordinate() const { return dims.size() == 1 && dims[0] == name; }

  uint64_t chunk_count() const { return chunks.size(); }
  // Chunks along each dimension.
  std::vector<uint64_t> chunk_grid() const;
};

struct FileContents {
  std::string path;
  nlohmann::ordered_json global_attrs;
  std::vector<Dataset> datasets;  // in file (creation) order

  const Dataset* find(const std::string& name) const;
};

// Reads the metadata and chunk table of one NetCDF-4 / HDF5 file. Throws
// Error naming the file when it is not HDF5 or cannot be read. With `only`,
// variables not named there are left out (coordinate variables never are)
// before their chunk tables are read: remotely, each is a round trip.
FileContents read_chunk_index(const std::string& path,
                              const std::vector<std::string>* only = nullptr);
// The same over any byte source (HTTP, S3) through pixeldrill's HDF5 virtual
// file driver; `name` is what messages show. Wrap remote sources in a block
// cache: HDF5 reads metadata in many small pieces.
FileContents read_chunk_index(const std::string& name, const io::ByteSource& source,
                              const std::vector<std::string>* only = nullptr);

}  // namespace pixeldrill::formats::hdf5

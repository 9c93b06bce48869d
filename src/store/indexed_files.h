#pragma once
// The files of a collection as its chunk index describes them, for `convert`
// from an index (a .pdx, whatever holds its files: folder, HTTP, S3) or from
// a remote collection indexed on the fly. Grid, times, packing, attributes
// and chunk tables come from the index, so no file is opened with netCDF-C
// or HDF5; chunk bytes come through io/, checked against the version the
// index recorded (size and modification time locally, size and ETag /
// Last-Modified remotely): a file changed since is an Error naming it.
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "catalog/nc_metadata.h"
#include "formats/hdf5/chunk_index.h"
#include "index/collection_index.h"
#include "io/byte_source.h"

namespace pixeldrill::store {

// A variable's storage type in one file and its valid_min/valid_max (stored units).
struct SourceVariable {
  catalog::StorageType type = catalog::StorageType::kFloat32;
  std::optional<double> valid_min, valid_max;
};

class IndexedFiles {
 public:
  explicit IndexedFiles(index::CollectionIndex index);

  const index::CollectionIndex& index() const { return index_; }
  // The index entry of `path`; throws Error naming it when the index has none.
  const index::FileEntry& entry(const std::string& path) const;

  // What catalog::read_metadata reads from the file itself.
  catalog::FileMetadata metadata(const index::FileEntry& file) const;
  // What read_attributes() reads: every attribute of `variable` ("" = the
  // global ones), the CF packing attributes included.
  nlohmann::json attributes(const std::string& path, const std::string& variable) const;
  SourceVariable variable(const std::string& path, const std::string& variable) const;
  // The chunk table of one variable as formats/hdf5 reads it; nullopt when
  // the file has no such variable.
  std::optional<formats::hdf5::Dataset> dataset(const std::string& path,
                                                const std::string& variable) const;
  // The file's bytes, as the index described them (see the top of this file).
  std::unique_ptr<io::ByteSource> open(const std::string& path) const;

 private:
  index::CollectionIndex index_;
  std::unordered_map<std::string, size_t> by_path_;
};

}  // namespace pixeldrill::store

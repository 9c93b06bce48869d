#pragma once
// Thin RAII wrapper over a netCDF-C file handle. Every failure throws Error
// naming the file (and variable), with netCDF-C's own message appended.
// netCDF-C is not thread-safe: use one NcFile per thread at most, and never
// two threads in the library at once.
//
// netCDF-C insists on a path (or its own byte-range HTTP mode): this is the
// one reader in pixeldrill that does not go through io::ByteSource. The
// reference drill of a local folder uses it; remote collections are read
// through the chunk index, whose HDF5 access goes through io/
// (formats/hdf5/byte_source_vfd.cpp).
#include <netcdf.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pixeldrill::formats::netcdf {

struct Dimension {
  std::string name;
  size_t length = 0;
  bool unlimited = false;
};

class NcFile {
 public:
  // Opens read-only; throws Error naming `path` when it is not a readable
  // NetCDF (classic or NetCDF-4/HDF5) file.
  static NcFile open(const std::string& path);
  ~NcFile();
  NcFile(NcFile&& other) noexcept;
  NcFile& operator=(NcFile&& other) noexcept;
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  int id() const { return ncid_; }
  const std::string& path() const { return path_; }

  std::vector<std::string> variable_names() const;
  std::optional<int> variable_id(const std::string& name) const;
  std::string variable_name(int varid) const;
  std::vector<Dimension> variable_dimensions(int varid) const;
  nc_type variable_type(int varid) const;
  // Chunk sizes, or empty when the variable is stored contiguously.
  std::vector<size_t> chunking(int varid) const;

  std::optional<std::string> text_attribute(int varid, const std::string& name) const;
  // First element of a numeric attribute, widened to double.
  std::optional<double> number_attribute(int varid, const std::string& name) const;

  // Every attribute of a variable (NC_GLOBAL: the file's): text as strings,
  // numbers as numbers (integers for integer types), several values as arrays.
  nlohmann::json attributes(int varid) const;

  // The whole variable, converted to double (values as stored, no unpacking).
  std::vector<double> read_all(int varid) const;
  // A hyperslab (nc_get_vara_double): raw stored numbers as double.
  void read(int varid, const std::vector<size_t>& start, const std::vector<size_t>& count,
            double* out) const;
  // Raises netCDF-C's per-variable chunk cache so repeated small reads from
  // one big compressed chunk do not inflate it again each time.
  void set_chunk_cache(int varid, size_t bytes) const;

 private:
  NcFile(int ncid, std::string path) : ncid_(ncid), path_(std::move(path)) {}
  void check(int status, const std::string& what) const;

  int ncid_ = -1;
  std::string path_;
};

}  // namespace pixeldrill::formats::netcdf

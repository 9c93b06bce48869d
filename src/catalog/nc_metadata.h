#pragma once
// What pixeldrill needs to know about one NetCDF file, read from its CF
// metadata through netCDF-C: the horizontal grid, the time steps, and for each
// gridded data variable its storage, packing and layout. Nothing here is
// specific to one product.
#include <map>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "catalog/packing.h"
#include "formats/netcdf/nc_file.h"

namespace pixeldrill::catalog {

struct VariableInfo {
  std::string name;
  int varid = -1;
  Packing packing;
  std::vector<std::string> dims;  // in storage order, e.g. time, lat, lon
  std::vector<size_t> shape;
  std::vector<size_t> chunks;  // empty when contiguous
  std::string units, long_name, standard_name;
  // CF `_Unsigned = "true"` on a signed integer: packing.type is the unsigned
  // type and readers that get signed numbers (nc_get_vara) add 2^bits to
  // negative ones, as xarray does.
  bool unsigned_reinterpret = false;
};

struct FileMetadata {
  std::string path;
  Grid grid;
  std::string time_name;                          // the time coordinate variable (and dimension)
  std::vector<int64_t> times;                     // Unix seconds UTC, one per time step
  std::map<std::string, VariableInfo> variables;  // data variables on the grid
};

// The storage type of a netCDF-C type; throws Error naming `where` for
// strings and compound types.
StorageType storage_type(nc_type type, const std::string& where);

// CF packing of one variable: _FillValue, missing_value, scale_factor, add_offset.
Packing read_packing(const formats::netcdf::NcFile& file, int varid);

// Reads grid, time axis and data variables; throws Error naming the file when
// it has no recognisable latitude/longitude/time coordinates or undecodable
// time units.
FileMetadata read_metadata(const formats::netcdf::NcFile& file);

}  // namespace pixeldrill::catalog

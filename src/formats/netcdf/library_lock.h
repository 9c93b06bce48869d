#pragma once
// netCDF-C is not thread-safe: every call into it, from any layer (reading
// collections, writing NetCDF output, synth), holds this one lock. HDF5 in
// Debian is built thread-safe and has its own lock; netCDF-C calls HDF5
// under this one, never the other way round, so the order is fixed.
#include <mutex>

namespace pixeldrill::formats::netcdf {

std::recursive_mutex& library_mutex();
inline std::unique_lock<std::recursive_mutex> library_lock() {
  return std::unique_lock<std::recursive_mutex>(library_mutex());
}

}  // namespace pixeldrill::formats::netcdf

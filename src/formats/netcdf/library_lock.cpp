#include "formats/netcdf/library_lock.h"

namespace pixeldrill::formats::netcdf {

std::recursive_mutex& library_mutex() {
  static std::recursive_mutex m;
  return m;
}

}  // namespace pixeldrill::formats::netcdf

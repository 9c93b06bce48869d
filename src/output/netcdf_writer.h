#pragma once
// A Series as a CF-1.8 discrete-sampling NetCDF-4 file, featureType
// timeSeries in the orthogonal multidimensional layout: dimensions
// station x time, variables time(time), station_id/lat/lon(station) and one
// variable per column (int with the netCDF default fill for integer columns,
// double with _FillValue NaN otherwise). The source's global attributes that
// still hold (title, license, acknowledgment, ...) are kept, the ones that
// describe the source file's own extent or making are recomputed. Readable by
// ncdump and xarray. Written to a temporary name and renamed into place.
#include <string>

#include "drill/series.h"

namespace pixeldrill::output {

struct NetcdfOptions {
  std::string history;  // what made the file, e.g. the command line; "history" attribute
};

void write_netcdf(const drill::Series& series, const std::string& path,
                  const NetcdfOptions& options = {});

// Source global attributes a derived file can keep unchanged.
bool global_attribute_still_holds(const std::string& name);

}  // namespace pixeldrill::output

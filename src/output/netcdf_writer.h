#pragma once
// A Series as a CF-1.8 discrete-sampling NetCDF-4 file, featureType
// timeSeries in the orthogonal multidimensional layout: dimensions
// station x time, variables time(time), station_id/lat/lon(station) and one
// double variable per column with _FillValue NaN. Readable by ncdump and
// xarray. Written to a temporary name and renamed into place.
#include <string>

#include "drill/series.h"

namespace pixeldrill::output {

void write_netcdf(const drill::Series& series, const std::string& path);

}  // namespace pixeldrill::output

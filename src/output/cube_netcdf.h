#pragma once
// A box cube as a CF-1.8 NetCDF-4 grid file, what a subsetter delivers:
// dimensions (time, lat, lon) with lat/lon coordinate variables holding the
// source's values (float32 when the source stores them so), time in seconds
// since 1970, and one variable per --var with the source's CF attributes.
// A variable keeps its stored type and packing (scale_factor, add_offset,
// _FillValue) when every step of the range stores it the same way, and is
// float32 (NaN fill) otherwise. Chunked, shuffled and deflated; written a
// block of time steps at a time under a temporary name, renamed at the end.
#include <cstdint>
#include <functional>
#include <string>

#include "drill/dataset.h"
#include "drill/query.h"
#include "drill/series.h"
#include "output/box_cube.h"

namespace pixeldrill::output {

// Returns the drills' summary (problems, notes) of stream_cube. `also` sees
// every block too (e.g. a mean map made in the same pass).
drill::Series write_cube_netcdf(const drill::Dataset& dataset, const drill::Query& query,
                                const CubeLayout& layout, const std::string& path,
                                const std::function<void(const CubeBlock&)>& also = {});

}  // namespace pixeldrill::output

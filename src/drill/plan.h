#pragma once
// Which pixels a Query reads, worked out once from the grid so that every
// drill path (netCDF-C reference, chunk index, Zarr store) reads the same
// pixels in the same order and hands them to the same SeriesBuilder.
#include <cstddef>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "drill/query.h"

namespace pixeldrill::drill {

struct PixelTarget {
  size_t site = 0;  // index into Query::sites; for a box, the pixel's order
  std::string id;   // station id (empty for a point or a box pixel)
  size_t row = 0;   // index along the latitude axis
  size_t col = 0;   // index along the longitude axis
  double lat = 0;   // pixel centre (the stored coordinate, widened to double)
  double lon = 0;
};

struct Plan {
  // Sites in Query::sites order; box pixels in (lat descending, lon ascending) order.
  std::vector<PixelTarget> pixels;
  // Bounding window of all pixels, inclusive, so a path can read one hyperslab.
  size_t row0 = 0, row1 = 0, col0 = 0, col1 = 0;
  bool box = false;
  // For a reduced box: where its rows are reported (centre of the pixel centres used).
  double box_lat = 0, box_lon = 0;

  // Stations outside the grid: left out of `pixels`, one message each, so a
  // stations run drills the others and reports these (a partial result).
  std::vector<std::string> outside;

  size_t window_rows() const { return row1 - row0 + 1; }
  size_t window_cols() const { return col1 - col0 + 1; }
};

// Throws Error naming --point or --box, and the grid extent, when the point
// lies outside the grid or a box holds no pixel; stations outside are listed
// in Plan::outside (an Error when every one is). Longitudes are taken in
// either convention (grid_longitude).
Plan make_plan(const Query& query, const catalog::Grid& grid);
// Sets the plan's row/column window to the bounding box of its pixels.
void fit_window(Plan& plan);

// A longitude in -180..180 or 0..360 on the grid's own convention: on a grid
// running 70..190, -175 is 185 and on one running -180..180, 185 is -175.
// Unchanged when no shift by 360 degrees puts it on the grid.
double grid_longitude(double lon, const catalog::Axis& lon_axis);

// [west, east] of a box on the grid's convention, east >= west: a box
// crossing the antimeridian (west east of east) and one given in the other
// convention are shifted by 360 degrees to where they overlap the grid most.
std::pair<double, double> grid_longitudes(const Box& box, const catalog::Axis& lon_axis);

// Great-circle distance in km between two positions (haversine on the
// IUGG mean Earth radius, 6371.0088 km).
double distance_km(double lat1, double lon1, double lat2, double lon2);

}  // namespace pixeldrill::drill

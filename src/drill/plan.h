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

  size_t window_rows() const { return row1 - row0 + 1; }
  size_t window_cols() const { return col1 - col0 + 1; }
};

// Throws Error naming --point/--stations (with the site id) or --box, and the
// grid extent, when a site lies outside the grid or a box holds no pixel.
Plan make_plan(const Query& query, const catalog::Grid& grid);

}  // namespace pixeldrill::drill

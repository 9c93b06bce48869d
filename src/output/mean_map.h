#pragma once
// The mean over a time range of every pixel of a box, accumulated block by
// block from a streamed cube (output/box_cube.h), for --plot-map. A pixel
// with no valid value in the range is land (or never seen): NaN mean, count 0.
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "output/box_cube.h"

namespace pixeldrill::output {

struct MeanGrid {
  catalog::Axis lat, lon;  // the cube's coordinates, source order
  std::string variable, units;
  std::vector<double> sum;      // [y * cols + x]
  std::vector<uint32_t> count;  // valid values
  int64_t first_time = 0, last_time = 0;
  size_t steps = 0;

  MeanGrid(const CubeLayout& layout, std::string variable_name);
  // Adds the block's values of the variable at index `v` of the layout.
  void add(const CubeBlock& block, size_t v);
  double mean(size_t i) const { return count[i] ? sum[i] / count[i] : std::nan(""); }
};

// Where --plot-map FILE.png writes its grid: FILE.csv (FILE.png.csv when the
// name does not end in .png).
std::string mean_grid_path(const std::string& png_path);

// lat,lon,mean,count per pixel (rows in the cube's order), mean empty for land.
std::string mean_grid_csv(const MeanGrid& grid);

}  // namespace pixeldrill::output

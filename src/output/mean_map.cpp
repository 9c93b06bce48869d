#include "output/mean_map.h"

#include <cmath>

#include "output/format_number.h"

namespace pixeldrill::output {

MeanGrid::MeanGrid(const CubeLayout& layout, std::string variable_name)
    : lat(layout.lat),
      lon(layout.lon),
      variable(std::move(variable_name)),
      sum(layout.lat.size() * layout.lon.size(), 0.0),
      count(sum.size(), 0) {}

void MeanGrid::add(const CubeBlock& block, size_t v) {
  const size_t npix = sum.size();
  const auto& values = block.values[v];
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = values[i];
    if (std::isnan(x)) continue;
    sum[i % npix] += x;
    ++count[i % npix];
  }
  if (block.times.empty()) return;
  if (steps == 0) first_time = block.times.front();
  last_time = block.times.back();
  steps += block.times.size();
}

std::string mean_grid_path(const std::string& png_path) {
  if (png_path.size() > 4 && png_path.compare(png_path.size() - 4, 4, ".png") == 0) {
    return png_path.substr(0, png_path.size() - 4) + ".csv";
  }
  return png_path + ".csv";
}

std::string mean_grid_csv(const MeanGrid& grid) {
  std::string out = "lat,lon," + grid.variable + "_mean,count\n";
  const size_t nx = grid.lon.size();
  for (size_t y = 0; y < grid.lat.size(); ++y) {
    for (size_t x = 0; x < nx; ++x) {
      const size_t i = y * nx + x;
      out += format_coordinate(grid.lat.values[y]) + "," + format_coordinate(grid.lon.values[x]) +
             "," + format_value(grid.mean(i)) + "," + std::to_string(grid.count[i]) + "\n";
    }
  }
  return out;
}

}  // namespace pixeldrill::output

#pragma once
// The horizontal grid of a collection: 1-D latitude and longitude coordinate
// variables as stored (float32 in IMOS files, widened exactly to double).
// Nearest-pixel lookup reproduces xarray's sel(method="nearest"), which is
// pandas Index.get_indexer(method="nearest"), including its tie-breaking.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pixeldrill::catalog {

struct Axis {
  std::string name;            // coordinate variable name, e.g. "lat"
  std::vector<double> values;  // stored values, widened to double
  // The coordinate is stored as float32: xarray then rounds a target to
  // float32 before the lookup, and so must we to pick the same pixel.
  bool float32 = false;
  std::string units;  // e.g. "degrees_north"

  size_t size() const { return values.size(); }
  bool ascending() const { return values.size() < 2 || values[1] > values[0]; }
  // Index of the value nearest to target with pandas' tie rule, or nullopt
  // when target lies more than half a step outside the axis.
  std::optional<size_t> nearest(double target) const;
  // Indices [first, last] of values inside [lo, hi] (any axis direction);
  // nullopt when none are.
  std::optional<std::pair<size_t, size_t>> range(double lo, double hi) const;
  double min() const;
  double max() const;
  // Half the spacing at the edges: how far outside the axis a target may lie.
  double half_step_low() const;
  double half_step_high() const;
};

struct Grid {
  Axis lat;
  Axis lon;
  // Cheap identity for "same grid" checks across thousands of files.
  uint64_t fingerprint() const;
  std::string describe() const;  // "4500 x 6000, lat 19.99..-69.99, lon 70.01..189.99"
  bool operator==(const Grid& other) const {
    return lat.values == other.lat.values && lon.values == other.lon.values;
  }
};

}  // namespace pixeldrill::catalog

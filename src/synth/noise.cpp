#include "synth/noise.h"

#include <algorithm>
#include <cmath>

#include "synth/hash.h"

namespace pixeldrill::synth {
namespace {
float smooth(double f) { return static_cast<float>(f * f * (3.0 - 2.0 * f)); }
}  // namespace

NoiseLayer::NoiseLayer(const SynthGrid& grid, const NoiseSpec& spec, int64_t day) {
  const double t = static_cast<double>(day) / spec.period_days;
  const double period_floor = std::floor(t);
  const auto p0 = static_cast<uint32_t>(static_cast<int64_t>(period_floor));
  const float w = smooth(t - period_floor);
  const double shift = spec.drift_deg_per_day * static_cast<double>(day);

  // Lattice coordinates: y from the north edge, x from the west edge minus the drift.
  std::vector<double> xs(grid.nlon);
  for (size_t j = 0; j < grid.nlon; ++j) xs[j] = (grid.lon[j] - 70.0 - shift) / spec.cell_deg;
  const auto x0 = static_cast<int64_t>(std::floor(xs.front()));
  const auto x1 = static_cast<int64_t>(std::floor(xs.back())) + 2;
  nx_ = static_cast<size_t>(x1 - x0 + 1);
  const auto ny = static_cast<size_t>(std::floor((20.0 - grid.lat.back()) / spec.cell_deg)) + 3;

  lattice_.resize(ny * nx_);
  for (size_t y = 0; y < ny; ++y) {
    for (size_t x = 0; x < nx_; ++x) {
      const auto gx = static_cast<uint32_t>(x0 + static_cast<int64_t>(x));
      const auto gy = static_cast<uint32_t>(y);
      const float a = unit_signed(hash3(spec.key ^ p0 * 0x2C1B3C6Du, gx, gy));
      const float b = unit_signed(hash3(spec.key ^ (p0 + 1) * 0x2C1B3C6Du, gx, gy));
      lattice_[y * nx_ + x] = a + (b - a) * w;
    }
  }
  row_index_.resize(grid.nlat);
  row_weight_.resize(grid.nlat);
  for (size_t i = 0; i < grid.nlat; ++i) {
    const double y = (20.0 - grid.lat[i]) / spec.cell_deg;
    const double fy = std::floor(y);
    row_index_[i] = static_cast<uint32_t>(fy);
    row_weight_[i] = smooth(y - fy);
  }
  col_index_.resize(grid.nlon);
  col_weight_.resize(grid.nlon);
  for (size_t j = 0; j < grid.nlon; ++j) {
    const double fx = std::floor(xs[j]);
    col_index_[j] = static_cast<uint32_t>(static_cast<int64_t>(fx) - x0);
    col_weight_[j] = smooth(xs[j] - fx);
  }
}

void NoiseLayer::add_row(size_t i, float amp, float* out, std::vector<float>& scratch) const {
  scratch.resize(nx_ + 1);
  const float* a = &lattice_[row_index_[i] * nx_];
  const float* b = a + nx_;
  const float wy = row_weight_[i];
  for (size_t x = 0; x < nx_; ++x) scratch[x] = amp * (a[x] + (b[x] - a[x]) * wy);
  const float* r = scratch.data();
  const size_t n = col_index_.size();
  for (size_t j = 0; j < n; ++j) {
    const uint32_t k = col_index_[j];
    out[j] += r[k] + (r[k + 1] - r[k]) * col_weight_[j];
  }
}

}  // namespace pixeldrill::synth

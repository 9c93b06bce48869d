#pragma once
// Smooth value noise on a lat/lon lattice, evaluated a grid row at a time so a
// pixel costs two loads and a multiply-add: the lattice is small and built per
// day, rows are blended from two lattice rows, columns use precomputed indices.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "synth/synth_grid.h"

namespace pixeldrill::synth {

struct NoiseSpec {
  uint32_t key = 0;              // distinguishes layers (mix the seed in here)
  double cell_deg = 1.0;         // lattice spacing
  double period_days = 1.0;      // the lattice morphs into a new one over this many days
  double drift_deg_per_day = 0;  // eastward drift of the pattern
};

class NoiseLayer {
 public:
  NoiseLayer(const SynthGrid& grid, const NoiseSpec& spec, int64_t day);

  // out[j] += amp * noise(row i, column j), noise in [-1, 1].
  void add_row(size_t i, float amp, float* out, std::vector<float>& scratch) const;

 private:
  size_t nx_ = 0;
  std::vector<float> lattice_;  // ny x nx
  std::vector<uint32_t> row_index_;
  std::vector<float> row_weight_;
  std::vector<uint32_t> col_index_;
  std::vector<float> col_weight_;
};

}  // namespace pixeldrill::synth

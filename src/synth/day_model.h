#pragma once
// The physical fields of one synthetic night: SST (latitude/season
// climatology + drifting mesoscale eddies + day-to-day noise), moving clouds
// and swath gaps that leave 30-50% of the ocean valid, and the ancillary
// variables derived consistently from them. Every value depends only on
// (seed, day, pixel position), so one day is the same whatever range it is
// generated in.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "synth/noise.h"
#include "synth/synth_grid.h"

namespace pixeldrill::synth {

// l2p_flags bits used by the generator.
inline constexpr int kFlagIce = 4;
inline constexpr int kFlagLowWind = 256;
inline constexpr int kFlagHighWind = 512;
inline constexpr int kFlagEdge = 1024;
inline constexpr int kFlagSwath = 8192;

class DayModel {
 public:
  // `step_salt` != 0 gives another sky (clouds, swaths, pixel noise) over the
  // same day's ocean: the steps of a sub-daily product.
  DayModel(const SynthGrid& grid, const std::vector<uint8_t>& land, uint64_t seed, int64_t day,
           unsigned threads, uint32_t step_salt = 0);
  ~DayModel();

  // Physical value of a product variable for every pixel, row-major; NaN where
  // the product stores its fill value. Throws Error on an unknown name.
  void physical(const std::string& var, std::vector<float>& out) const;

  // 0 where SST is missing, else the quality level 2..5.
  const std::vector<uint8_t>& quality() const { return quality_; }
  double valid_fraction_of_ocean() const;

 private:
  struct Layers;
  struct RowContext;
  void fill_row(const std::string& var, size_t i, float* out, RowContext& ctx) const;
  float cloud_threshold(double target_fraction) const;
  void cloud_row(size_t i, float* out, RowContext& ctx) const;

  const SynthGrid& grid_;
  const std::vector<uint8_t>& land_;
  uint64_t seed_;
  int64_t day_;
  unsigned threads_;
  uint32_t step_salt_;
  double season_phase_;  // radians, 0 at mid-February (southern summer peak)
  std::unique_ptr<Layers> layers_;
  std::vector<double> swath_col_;  // per column part of the swath phase
  float cloud_threshold_ = 0;
  std::vector<float> zenith_;  // satellite zenith angle, degrees, every pixel
  std::vector<uint8_t> quality_;
};

}  // namespace pixeldrill::synth

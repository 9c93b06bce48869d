#pragma once
// The IMOS L3S-1d "Australian region" grid at full (0.02 deg) or decimated
// resolution. Pixel centres are cell centres of the same 20N..70S, 70E..190E
// extent, so a decimated grid is a true coarsening of the full one.
#include <cstddef>
#include <vector>

namespace pixeldrill::synth {

inline constexpr int kFullLat = 4500;
inline constexpr int kFullLon = 6000;
// Extent edges in hundredths of a degree: integers so every centre is an exact
// decimal and rounds to float exactly as the real files' coordinates do.
inline constexpr int kNorthEdgeCenti = 2000;
inline constexpr int kWestEdgeCenti = 7000;
inline constexpr int kMaxDecimation = 100;  // 45 x 60 pixels

// A product's regular grid at full resolution: pixel-centre lattice of
// `full_nlat` x `full_nlon` cells of 0.02 deg from the north-west edge.
struct GridSpec {
  int north_edge_centi = kNorthEdgeCenti;
  int west_edge_centi = kWestEdgeCenti;
  int full_nlat = kFullLat;
  int full_nlon = kFullLon;
};

struct SynthGrid {
  int decimate = 1;
  GridSpec spec;
  size_t nlat = 0;
  size_t nlon = 0;
  std::vector<float> lat;  // descending
  std::vector<float> lon;  // ascending
  double step_deg() const { return 0.02 * decimate; }
  size_t pixels() const { return nlat * nlon; }
};

// Factors that divide both grid sizes and are at most kMaxDecimation.
std::vector<int> valid_decimations(const GridSpec& spec = {});
// Throws Error naming --decimate when `decimate` is not a valid factor.
SynthGrid make_grid(int decimate, const GridSpec& spec = {});

}  // namespace pixeldrill::synth

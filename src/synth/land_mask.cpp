#include "synth/land_mask.h"

#include <algorithm>
#include <cmath>

#include "synth/hash.h"

namespace pixeldrill::synth {
namespace {

struct Blob {
  double lat, lon;    // centre
  double rlat, rlon;  // half-axes in degrees
  bool land;          // false: carves sea (bays, gulfs) out of earlier land
};

// Painted in order, so sea blobs after land blobs cut bays.
const Blob kBlobs[] = {
    // Australia
    {-25.0, 134.0, 12.5, 19.0, true},
    {-14.5, 142.8, 4.5, 2.2, true},
    {-15.0, 131.5, 3.5, 6.0, true},
    {-21.5, 117.0, 4.0, 5.0, true},
    {-33.0, 117.5, 2.5, 2.8, true},
    {-36.5, 144.5, 2.5, 5.0, true},
    {-29.0, 151.5, 5.0, 2.5, true},
    {-38.0, 133.5, 4.5, 9.0, false},  // Great Australian Bight
    {-14.5, 139.5, 3.5, 2.5, false},  // Gulf of Carpentaria
    {-42.0, 146.6, 1.3, 1.4, true},   // Tasmania
    // New Guinea
    {-5.5, 141.0, 2.8, 8.5, true},
    {-7.5, 146.5, 2.0, 3.0, true},
    // Indonesia, Malaysia, Philippines
    {0.8, 114.0, 4.0, 4.3, true},
    {4.5, 96.5, 1.5, 1.8, true},
    {2.0, 99.0, 2.0, 2.0, true},
    {-1.0, 101.5, 2.2, 2.0, true},
    {-3.5, 104.0, 2.0, 2.0, true},
    {-7.3, 110.0, 1.0, 5.5, true},
    {-8.7, 118.5, 0.6, 3.5, true},
    {-9.5, 124.5, 0.8, 2.0, true},
    {-2.0, 121.0, 3.0, 1.5, true},
    {0.8, 123.5, 0.6, 3.0, true},
    {-3.2, 129.5, 0.7, 1.8, true},
    {1.0, 128.0, 1.5, 0.8, true},
    {11.5, 123.5, 6.5, 2.5, true},
    {8.0, 125.0, 2.5, 1.8, true},
    {4.5, 102.0, 3.0, 1.3, true},
    {13.0, 104.0, 7.5, 5.0, true},
    {19.0, 107.5, 2.5, 2.0, false},  // Gulf of Tonkin
    {17.0, 96.5, 4.0, 3.0, true},
    {20.0, 88.0, 1.5, 6.0, true},  // Myanmar, Bengal coast
    // India and Sri Lanka
    {17.0, 78.0, 8.5, 5.5, true},
    {7.8, 80.7, 1.6, 0.9, true},
    // New Zealand and the Pacific
    {-38.8, 175.8, 2.6, 1.8, true},
    {-42.3, 172.5, 1.8, 2.0, true},
    {-45.0, 169.5, 1.6, 2.2, true},
    {-17.8, 178.0, 0.6, 0.8, true},
    {-21.3, 165.5, 0.5, 1.8, true},
    {-9.5, 160.0, 0.6, 1.8, true},
    {-15.5, 167.0, 0.8, 0.4, true},
};

// Smooth 1-D noise in [-1, 1] for ragged coasts.
double noise1d(double x, uint32_t key) {
  const double f = std::floor(x);
  const auto i = static_cast<uint32_t>(static_cast<int64_t>(f));
  const double t = x - f;
  const double s = t * t * (3 - 2 * t);
  const double a = unit_signed(hash3(key, i, 17));
  const double b = unit_signed(hash3(key, i + 1, 17));
  return a + (b - a) * s;
}

}  // namespace

std::vector<uint8_t> make_land_mask(const SynthGrid& grid) {
  std::vector<uint8_t> mask(grid.pixels(), 0);
  std::vector<double> antarctic_coast(grid.nlon);
  for (size_t j = 0; j < grid.nlon; ++j) {
    const double lon = grid.lon[j];
    antarctic_coast[j] = -66.8 + 1.8 * std::sin(lon * 0.07) + 0.9 * noise1d(lon * 0.5, 7) +
                         0.3 * noise1d(lon * 4.0, 8);
  }
  const double step = grid.step_deg();
  const double lon0 = grid.lon.front();
  for (size_t i = 0; i < grid.nlat; ++i) {
    const double lat = grid.lat[i];
    uint8_t* row = &mask[i * grid.nlon];
    uint32_t key = 1;
    for (const Blob& b : kBlobs) {
      ++key;
      const double dy = (lat - b.lat) / b.rlat;
      if (std::abs(dy) >= 1.0) continue;
      // Ragged coast: the half-width wobbles with latitude at two scales.
      const double rag =
          1.0 + 0.10 * noise1d(lat * 2.0, key) + 0.04 * noise1d(lat * 12.0, key + 99);
      const double half = b.rlon * std::sqrt(1.0 - dy * dy) * rag;
      const double west = b.lon - half, east = b.lon + half;
      const auto j0 = static_cast<long>(std::ceil((west - lon0) / step));
      const auto j1 = static_cast<long>(std::floor((east - lon0) / step));
      for (long j = std::max(0L, j0); j <= std::min<long>(j1, static_cast<long>(grid.nlon) - 1);
           ++j)
        row[j] = b.land ? 1 : 0;
    }
    if (lat < -63.0) {
      for (size_t j = 0; j < grid.nlon; ++j)
        if (lat < antarctic_coast[j]) row[j] = 1;
    }
  }
  return mask;
}

}  // namespace pixeldrill::synth

#include "synth/synth_grid.h"

#include <string>

#include "core/error.h"

namespace pixeldrill::synth {

std::vector<int> valid_decimations() {
  std::vector<int> out;
  for (int n = 1; n <= kMaxDecimation; ++n) {
    if (kFullLat % n == 0 && kFullLon % n == 0) out.push_back(n);
  }
  return out;
}

SynthGrid make_grid(int decimate) {
  bool ok = false;
  for (int n : valid_decimations()) ok = ok || n == decimate;
  if (!ok) {
    std::string list;
    for (int n : valid_decimations()) list += (list.empty() ? "" : ", ") + std::to_string(n);
    throw Error("--decimate " + std::to_string(decimate) +
                " is not valid: it must divide both 4500 and 6000 and be at most " +
                std::to_string(kMaxDecimation) + " (one of " + list + ")");
  }
  SynthGrid g;
  g.decimate = decimate;
  g.nlat = kFullLat / decimate;
  g.nlon = kFullLon / decimate;
  g.lat.resize(g.nlat);
  g.lon.resize(g.nlon);
  // Centre i of a cell 2*decimate centi-degrees wide lies decimate*(2i+1)
  // centi-degrees from the edge; dividing the exact integer by 100 in double
  // and rounding once to float reproduces the real files bit for bit.
  for (size_t i = 0; i < g.nlat; ++i) {
    const long centi =
        kNorthEdgeCenti - static_cast<long>(decimate) * (2 * static_cast<long>(i) + 1);
    g.lat[i] = static_cast<float>(static_cast<double>(centi) / 100.0);
  }
  for (size_t j = 0; j < g.nlon; ++j) {
    const long centi =
        kWestEdgeCenti + static_cast<long>(decimate) * (2 * static_cast<long>(j) + 1);
    g.lon[j] = static_cast<float>(static_cast<double>(centi) / 100.0);
  }
  return g;
}

}  // namespace pixeldrill::synth

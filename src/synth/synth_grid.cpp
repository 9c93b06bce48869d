#include "synth/synth_grid.h"

#include <string>

#include "core/error.h"

namespace pixeldrill::synth {

std::vector<int> valid_decimations(const GridSpec& spec) {
  std::vector<int> out;
  for (int n = 1; n <= kMaxDecimation; ++n) {
    if (spec.full_nlat % n == 0 && spec.full_nlon % n == 0) out.push_back(n);
  }
  return out;
}

SynthGrid make_grid(int decimate, const GridSpec& spec) {
  bool ok = false;
  for (int n : valid_decimations(spec)) ok = ok || n == decimate;
  if (!ok) {
    std::string list;
    for (int n : valid_decimations(spec)) list += (list.empty() ? "" : ", ") + std::to_string(n);
    throw Error("--decimate " + std::to_string(decimate) + " is not valid: it must divide both " +
                std::to_string(spec.full_nlat) + " and " + std::to_string(spec.full_nlon) +
                " and be at most " + std::to_string(kMaxDecimation) + " (one of " + list + ")");
  }
  SynthGrid g;
  g.decimate = decimate;
  g.spec = spec;
  g.nlat = static_cast<size_t>(spec.full_nlat / decimate);
  g.nlon = static_cast<size_t>(spec.full_nlon / decimate);
  g.lat.resize(g.nlat);
  g.lon.resize(g.nlon);
  // Centre i of a cell 2*decimate centi-degrees wide lies decimate*(2i+1)
  // centi-degrees from the edge; dividing the exact integer by 100 in double
  // and rounding once to float reproduces the real files bit for bit.
  for (size_t i = 0; i < g.nlat; ++i) {
    const long centi =
        spec.north_edge_centi - static_cast<long>(decimate) * (2 * static_cast<long>(i) + 1);
    g.lat[i] = static_cast<float>(static_cast<double>(centi) / 100.0);
  }
  for (size_t j = 0; j < g.nlon; ++j) {
    const long centi =
        spec.west_edge_centi + static_cast<long>(decimate) * (2 * static_cast<long>(j) + 1);
    g.lon[j] = static_cast<float>(static_cast<double>(centi) / 100.0);
  }
  return g;
}

}  // namespace pixeldrill::synth

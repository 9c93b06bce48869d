#pragma once
// A fixed, rough land mask for the grid: Australia, New Guinea, the Indonesian
// and Philippine islands, South-East Asia, India's tip, New Zealand, a few
// Pacific islands and Antarctica, with ragged coasts. 1 = land.
#include <cstdint>
#include <vector>

#include "synth/synth_grid.h"

namespace pixeldrill::synth {

std::vector<uint8_t> make_land_mask(const SynthGrid& grid);

}  // namespace pixeldrill::synth

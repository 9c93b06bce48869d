#pragma once
// Packs a variable's physical values the way the real product does (per-file
// scale_factor/add_offset from the day's value range) and compresses each
// HDF5 chunk exactly as the deflate+shuffle filter pipeline stores it, so the
// chunks can be written raw with H5Dwrite_chunk.
#include <array>
#include <cstdint>
#include <vector>

#include "synth/product.h"
#include "synth/synth_grid.h"

namespace pixeldrill::synth {

struct PackParams {
  bool packed = false;
  double scale = 1.0;
  double offset = 0.0;
};

// From the finite values of `physical` (NaN = fill).
PackParams choose_packing(const VarSpec& var, const std::vector<float>& physical);

struct EncodedVar {
  const VarSpec* spec = nullptr;
  PackParams packing;
  std::array<size_t, 3> chunk{};
  std::vector<std::array<size_t, 3>> offsets;  // element offset of each chunk
  std::vector<std::vector<uint8_t>> chunks;    // shuffled + zlib-deflated (level 3)
};

// `packing`: the file's packing when it holds several time steps (chosen from
// the first); null chooses it from `physical`. `time_index`: the step's place
// in the file's time dimension.
EncodedVar encode_variable(const VarSpec& var, const std::vector<float>& physical,
                           const SynthGrid& grid, std::array<size_t, 3> chunk, unsigned threads,
                           const PackParams* packing = nullptr, size_t time_index = 0);

// Element size in bytes of NC_BYTE / NC_SHORT / NC_INT.
size_t element_size(int nc_type_code);

}  // namespace pixeldrill::synth

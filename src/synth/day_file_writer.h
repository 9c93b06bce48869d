#pragma once
// Writes one day file: netCDF-C defines everything (dimensions, coordinates,
// attributes, chunking, deflate 3 + shuffle) and writes the coordinates; after
// closing, the data chunks, already packed and compressed in parallel, are
// stored raw through HDF5's H5Dwrite_chunk. The result is an ordinary
// netCDF-4 file, readable by any netCDF/HDF5 reader.
#include <cstdint>
#include <string>
#include <vector>

#include "synth/encode.h"
#include "synth/product.h"
#include "synth/products.h"
#include "synth/synth_grid.h"

namespace pixeldrill::synth {

// The file's time axis: one value per step, fixed or UNLIMITED dimension.
struct FileTime {
  TimeCoding coding;
  std::vector<double> values;
  bool unlimited = false;
};

// `vars` holds every step's chunks (offsets carry the time index).
void write_day_file(const std::string& path, const SynthGrid& grid, const FileTime& time,
                    const Era& era, const std::vector<Attr>& global_attrs,
                    const std::vector<EncodedVar>& vars);

}  // namespace pixeldrill::synth

#pragma once
// The web page's map background: the mean of the dataset's temperature
// variable over its latest time steps, sampled to at most ~480 pixels wide,
// colour-ramped, pixels never valid in those steps (land, permanent cloud)
// drawn grey. A PNG, so the page needs no internet map tiles.
#include <string>

#include "drill/dataset.h"

namespace pixeldrill::server {

std::string render_mean_map(const drill::Dataset& dataset, const drill::DatasetInfo& info,
                            size_t max_width = 480, size_t steps = 8);

// A minimal 8-bit RGB PNG (zlib IDAT, CRC-32 from zlib).
std::string encode_png_rgb(size_t width, size_t height, const std::string& rgb);

}  // namespace pixeldrill::server

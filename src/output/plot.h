#pragma once
// A PNG line plot of a Series through gnuplot's pngcairo terminal: one line
// per site and variable, time on x; the first variable on the left axis and
// any others on the right axis. Throws Error when gnuplot is not installed or fails.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drill/series.h"
#include "output/mean_map.h"

namespace pixeldrill::output {

void write_plot(const drill::Series& series, const std::string& png_path);

// A climatology plot of the first site of a --climatology Series: `variable`
// as points coloured by quality_level (when drilled), the climatology and the
// band up to the threshold, and `events` ([start, end) Unix seconds) shaded.
void write_anomaly_plot(const drill::Series& series, const std::string& variable,
                        const std::vector<std::pair<int64_t, int64_t>>& events,
                        const std::string& png_path);

// --plot-map: the per-pixel mean of a box over its time range as an image
// (colour bar in the variable's units), pixels without any valid value
// drawn in a land colour, `title` above. Width x height pixels.
inline constexpr int kMapWidth = 1000, kMapHeight = 800;
void write_map_plot(const MeanGrid& grid, const std::string& title, const std::string& png_path);

}  // namespace pixeldrill::output

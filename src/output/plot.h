#pragma once
// A PNG line plot of a Series through gnuplot's pngcairo terminal: one line
// per site and variable, time on x; the first variable on the left axis and
// any others on the right axis. Throws Error when gnuplot is not installed or fails.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drill/series.h"

namespace pixeldrill::output {

void write_plot(const drill::Series& series, const std::string& png_path);

// A climatology plot of the first site of a --climatology Series: `variable`
// as points coloured by quality_level (when drilled), the climatology and the
// band up to the threshold, and `events` ([start, end) Unix seconds) shaded.
void write_anomaly_plot(const drill::Series& series, const std::string& variable,
                        const std::vector<std::pair<int64_t, int64_t>>& events,
                        const std::string& png_path);

}  // namespace pixeldrill::output

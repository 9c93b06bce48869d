#pragma once
// A PNG line plot of a Series through gnuplot's pngcairo terminal: one line
// per site and variable, time on x; the first variable on the left axis and
// any others on the right axis. Throws Error when gnuplot is not installed or fails.
#include <string>

#include "drill/series.h"

namespace pixeldrill::output {

void write_plot(const drill::Series& series, const std::string& png_path);

}  // namespace pixeldrill::output

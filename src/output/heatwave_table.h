#pragma once
// Marine heatwave events as text: CSV (one row per event per site) or JSON.
// Dates are ISO 8601 days; intensities in the variable's units (relative to
// the climatology); duration in days; category 1-4 with its name.
#include <string>
#include <vector>

#include "analysis/anomaly.h"

namespace pixeldrill::output {

std::string heatwaves_to_csv(const std::vector<analysis::SiteHeatwaves>& sites);
std::string heatwaves_to_json(const std::vector<analysis::SiteHeatwaves>& sites,
                              const std::string& units);

}  // namespace pixeldrill::output

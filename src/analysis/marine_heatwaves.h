#pragma once
// Marine heatwave events after Hobday et al. (2016), categories after Hobday
// et al. (2018), with the reference implementation's rules
// (marineHeatWaves.detect defaults; docs/analysis.md):
//  - a missing day takes the climatology's value (so it never exceeds);
//  - exceedance: value - thresh > 0; runs of >= min_duration (5) days are
//    events; consecutive events separated by <= max_gap (2) days are joined
//    (the gap days become part of the event);
//  - intensities relative to the climatology (seas): max (first day of the
//    maximum is the peak), mean, cumulative (sum, degree days);
//  - category = min(4, floor(1 + max_d (value - thresh) / (thresh - seas))):
//    1 Moderate (I), 2 Strong (II), 3 Severe (III), 4 Extreme (IV).
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/climatology.h"

namespace pixeldrill::analysis {

struct HeatwaveOptions {
  int min_duration = 5;
  int max_gap = 2;
};

struct HeatwaveEvent {
  int64_t start_day = 0;  // days since 1970-01-01, inclusive
  int64_t end_day = 0;    // inclusive
  int64_t peak_day = 0;
  int duration = 0;  // days, end - start + 1
  double intensity_max = 0;
  double intensity_mean = 0;
  double intensity_cumulative = 0;
  int category = 1;  // 1..4
};

const char* category_name(int category);  // "I Moderate" ... "IV Extreme"

// Events in `series` (which may be longer or shorter than the base period).
std::vector<HeatwaveEvent> detect_heatwaves(const DailySeries& series, const Climatology& clim,
                                            const HeatwaveOptions& options = {});

}  // namespace pixeldrill::analysis

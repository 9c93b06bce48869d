#include "analysis/marine_heatwaves.h"

#include <algorithm>
#include <cmath>

namespace pixeldrill::analysis {

const char* category_name(int category) {
  switch (category) {
    case 1:
      return "I Moderate";
    case 2:
      return "II Strong";
    case 3:
      return "III Severe";
    default:
      return "IV Extreme";
  }
}

std::vector<HeatwaveEvent> detect_heatwaves(const DailySeries& series, const Climatology& clim,
                                            const HeatwaveOptions& options) {
  const size_t n = series.values.size();
  std::vector<double> temp(n), seas(n), thresh(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t day = series.first_day + static_cast<int64_t>(i);
    seas[i] = clim.seas_on(day);
    thresh[i] = clim.thresh_on(day);
    temp[i] = std::isnan(series.values[i]) ? seas[i] : series.values[i];
  }
  // Runs of exceedance long enough, as [first, last] indices.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < n;) {
    if (!(temp[i] - thresh[i] > 0)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && temp[j + 1] - thresh[j + 1] > 0) ++j;
    if (j - i + 1 >= static_cast<size_t>(options.min_duration)) runs.emplace_back(i, j);
    i = j + 1;
  }
  // Joining never changes the other gaps, so one pass joins what the
  // reference's repeated "first short gap" loop joins.
  std::vector<std::pair<size_t, size_t>> joined;
  for (const auto& run : runs) {
    if (!joined.empty() &&
        static_cast<int64_t>(run.first - joined.back().second) - 1 <= options.max_gap) {
      joined.back().second = run.second;
    } else {
      joined.push_back(run);
    }
  }
  std::vector<HeatwaveEvent> events;
  for (const auto& [a, b] : joined) {
    HeatwaveEvent e;
    e.start_day = series.first_day + static_cast<int64_t>(a);
    e.end_day = series.first_day + static_cast<int64_t>(b);
    e.duration = static_cast<int>(b - a + 1);
    size_t peak = a;
    double sum = 0, best_norm = -INFINITY;
    for (size_t i = a; i <= b; ++i) {
      const double rel = temp[i] - seas[i];
      sum += rel;
      if (rel > temp[peak] - seas[peak]) peak = i;
      const double norm = (temp[i] - thresh[i]) / (thresh[i] - seas[i]);
      best_norm = std::max(best_norm, norm);
    }
    e.peak_day = series.first_day + static_cast<int64_t>(peak);
    e.intensity_max = temp[peak] - seas[peak];
    e.intensity_mean = sum / e.duration;
    e.intensity_cumulative = sum;
    const double cat = std::floor(1.0 + best_norm);
    e.category = static_cast<int>(std::clamp(cat, 1.0, 4.0));
    events.push_back(e);
  }
  return events;
}

}  // namespace pixeldrill::analysis

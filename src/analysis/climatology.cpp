#include "analysis/climatology.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kFeb29 = 60;

// Circular running mean over the climatological year (the reference tiles
// the year three times and convolves with a box of width w).
std::array<double, 366> circular_running_mean(const std::array<double, 366>& x, int width) {
  if (width <= 1) return x;
  std::array<double, 366> out{};
  const int half = width / 2;
  for (int i = 0; i < 366; ++i) {
    double sum = 0;
    for (int j = -half; j <= half; ++j) sum += x[static_cast<size_t>(((i + j) % 366 + 366) % 366)];
    out[static_cast<size_t>(i)] = sum / width;
  }
  return out;
}

}  // namespace

double DailySeries::at(int64_t day) const {
  if (day < first_day || day > last_day()) return kNaN;
  return values[static_cast<size_t>(day - first_day)];
}

DailySeries DailySeries::slice(int64_t first, int64_t last) const {
  DailySeries out;
  out.first_day = first;
  if (last >= first) out.values.reserve(static_cast<size_t>(last - first + 1));
  for (int64_t d = first; d <= last; ++d) out.values.push_back(at(d));
  return out;
}

int64_t day_of(int64_t unix_seconds) {
  return unix_seconds / 86400 - (unix_seconds % 86400 < 0 ? 1 : 0);
}

void DailyAccumulator::add(int64_t unix_seconds, double value) {
  auto& [sum, count] = days_[day_of(unix_seconds)];
  if (std::isnan(value)) return;
  sum += value;
  ++count;
}

DailySeries DailyAccumulator::finish() const {
  if (days_.empty()) return {};
  return finish(days_.begin()->first, days_.rbegin()->first);
}

DailySeries DailyAccumulator::finish(int64_t first_day, int64_t last_day) const {
  DailySeries out;
  out.first_day = first_day;
  if (last_day >= first_day) out.values.assign(static_cast<size_t>(last_day - first_day + 1), kNaN);
  for (const auto& [day, acc] : days_) {
    if (day < first_day || day > last_day || acc.second == 0) continue;
    out.values[static_cast<size_t>(day - first_day)] = acc.first / static_cast<double>(acc.second);
  }
  return out;
}

int day_of_leap_year(int64_t day) {
  const CivilDate d = civil_from_days(day);
  const int doy = static_cast<int>(day - days_from_civil({d.year, 1, 1})) + 1;
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  return !leap && doy > 59 ? doy + 1 : doy;
}

std::pair<int64_t, int64_t> climatology_days(const ClimatologyOptions& o) {
  return {days_from_civil({o.base_first_year, 1, 1}) - o.window_half_width,
          days_from_civil({o.base_last_year, 12, 31}) + o.window_half_width};
}

double percentile_linear(std::vector<double>& values, double p) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1) * (p / 100.0);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = h - static_cast<double>(lo);
  const double a = values[lo], b = values[hi];
  // numpy's _lerp: the form that is exact at the nearer end.
  return frac >= 0.5 ? b - (b - a) * (1 - frac) : a + (b - a) * frac;
}

Climatology compute_climatology(const DailySeries& series, const ClimatologyOptions& o) {
  if (o.base_first_year > o.base_last_year) {
    throw BadRequest("climatology base period " + std::to_string(o.base_first_year) + "-" +
                     std::to_string(o.base_last_year) + " ends before it starts");
  }
  // Days of the base period grouped by day of the leap year.
  std::array<std::vector<int64_t>, 366> centres;
  const int64_t first = days_from_civil({o.base_first_year, 1, 1});
  const int64_t last = days_from_civil({o.base_last_year, 12, 31});
  for (int64_t d = first; d <= last; ++d)
    centres[static_cast<size_t>(day_of_leap_year(d) - 1)].push_back(d);

  Climatology c;
  bool any = false;
  std::vector<double> window;
  for (int doy = 1; doy <= 366; ++doy) {
    if (doy == kFeb29) continue;
    window.clear();
    for (int64_t centre : centres[static_cast<size_t>(doy - 1)]) {
      for (int w = -o.window_half_width; w <= o.window_half_width; ++w) {
        const double v = series.at(centre + w);
        if (!std::isnan(v)) window.push_back(v);
      }
    }
    double sum = 0;
    for (double v : window) sum += v;
    const size_t i = static_cast<size_t>(doy - 1);
    c.seas[i] = window.empty() ? kNaN : sum / static_cast<double>(window.size());
    c.thresh[i] = percentile_linear(window, o.percentile);
    any = any || !window.empty();
  }
  if (!any) {
    throw BadRequest("climatology base period " + std::to_string(o.base_first_year) + "-" +
                     std::to_string(o.base_last_year) + " holds no valid value");
  }
  c.seas[kFeb29 - 1] = 0.5 * c.seas[kFeb29 - 2] + 0.5 * c.seas[kFeb29];
  c.thresh[kFeb29 - 1] = 0.5 * c.thresh[kFeb29 - 2] + 0.5 * c.thresh[kFeb29];
  c.seas = circular_running_mean(c.seas, o.smooth_width);
  c.thresh = circular_running_mean(c.thresh, o.smooth_width);
  return c;
}

DailySeries gapfill(const DailySeries& series, int max_gap) {
  DailySeries out = series;
  const auto& v = series.values;
  const size_t n = v.size();
  size_t i = 0;
  while (i < n) {
    if (!std::isnan(v[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && std::isnan(v[j])) ++j;  // missing run [i, j)
    if (static_cast<int64_t>(j - i) <= max_gap) {
      const bool has_before = i > 0, has_after = j < n;
      for (size_t k = i; k < j; ++k) {
        if (has_before && has_after) {
          const double x0 = static_cast<double>(i - 1), x1 = static_cast<double>(j);
          const double slope = (v[j] - v[i - 1]) / (x1 - x0);  // numpy.interp's form
          out.values[k] = slope * (static_cast<double>(k) - x0) + v[i - 1];
        } else if (has_before) {
          out.values[k] = v[i - 1];
        } else if (has_after) {
          out.values[k] = v[j];
        }
      }
    }
    i = j;
  }
  return out;
}

}  // namespace pixeldrill::analysis

#pragma once
// Day-of-year climatology and 90th-percentile threshold after Hobday et al.
// (2016), following the rule of the reference implementation (Eric Oliver's
// marineHeatWaves.detect, defaults): docs/analysis.md states it in full.
//
//  - Days are numbered on a leap-year calendar, 1..366: 1 March is always 61,
//    so a non-leap year has no day 60.
//  - For each day of year d except 60: all values on the days within +-5
//    days (an 11-day window, by date, crossing year ends) of every date with
//    day of year d in the base years; missing values are left out. seas(d) is
//    their mean, thresh(d) their 90th percentile with linear interpolation
//    between order statistics (numpy's default method). No value: NaN.
//  - Day 60 (29 February) is the mean of days 59 and 61.
//  - Both are then smoothed by a 31-day running mean, circular over the 366
//    days of the climatological year.
//
// Memory: one double per day of the series handed in (8 bytes a day a site).
#include <array>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace pixeldrill::analysis {

// A gap-free daily series: values[i] is day first_day + i (days since
// 1970-01-01 UTC); NaN where nothing valid was observed.
struct DailySeries {
  int64_t first_day = 0;
  std::vector<double> values;

  int64_t last_day() const { return first_day + static_cast<int64_t>(values.size()) - 1; }
  double at(int64_t day) const;                          // NaN outside the series
  DailySeries slice(int64_t first, int64_t last) const;  // padded with NaN where outside
};

// Daily means of timed samples (several time steps a day are averaged; NaN
// samples are ignored). Samples may come in any order.
class DailyAccumulator {
 public:
  void add(int64_t unix_seconds, double value);
  // Covers [first, last] (days since epoch); by default the days that had samples.
  DailySeries finish() const;
  DailySeries finish(int64_t first_day, int64_t last_day) const;
  bool empty() const { return days_.empty(); }

 private:
  std::map<int64_t, std::pair<double, int64_t>> days_;  // day -> (sum, count)
};

int day_of_leap_year(int64_t day);  // 1..366 on the leap-year calendar
int64_t day_of(int64_t unix_seconds);

struct ClimatologyOptions {
  int base_first_year = 0;  // inclusive
  int base_last_year = 0;   // inclusive
  int window_half_width = 5;
  double percentile = 90;
  int smooth_width = 31;  // odd; 0 or 1: no smoothing
};

struct Climatology {
  std::array<double, 366> seas{};  // by day of leap year - 1
  std::array<double, 366> thresh{};
  double seas_on(int64_t day) const { return seas[day_of_leap_year(day) - 1]; }
  double thresh_on(int64_t day) const { return thresh[day_of_leap_year(day) - 1]; }
};

// The days a climatology over the base years reads: the base years and the
// window's half width on either side.
std::pair<int64_t, int64_t> climatology_days(const ClimatologyOptions& options);

// Throws BadRequest when no day of the base period holds a valid value.
Climatology compute_climatology(const DailySeries& series, const ClimatologyOptions& options);

// numpy.percentile(values, p) with the default "linear" method; values are
// sorted in place; NaN when empty.
double percentile_linear(std::vector<double>& values, double p);

// Linear interpolation across runs of at most max_gap missing days between
// valid days; a run at either end of at most max_gap days takes the nearest
// valid value (numpy.interp's rule); longer runs stay missing.
DailySeries gapfill(const DailySeries& series, int max_gap);

}  // namespace pixeldrill::analysis

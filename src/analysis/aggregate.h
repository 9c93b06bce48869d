#pragma once
// Calendar aggregation of a drilled Series: one row per period (day, ISO
// week, month, meteorological season, year) per site, box pixel or reduced
// box, with mean/min/max/std/count of the valid (non-missing) values of each
// variable. Values masked by --min-quality are already missing in the Series,
// so they are not counted.
//
// std is the population standard deviation (ddof = 0), numpy's and xarray's
// default (pandas' Series.std defaults to ddof = 1); a period with one valid
// value has std 0. Accumulation is Welford's, per (period, site): memory
// grows with the number of output rows, not with the number of input rows.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "drill/series.h"

namespace pixeldrill::analysis {

enum class PeriodKind { kDay, kWeek, kMonth, kSeason, kYear };
enum class Stat { kMean, kMin, kMax, kStd, kCount };

PeriodKind parse_period_kind(const std::string& text);   // throws BadRequest naming --aggregate
std::vector<Stat> parse_stats(const std::string& text);  // "mean,std"; throws naming --stats
const char* stat_name(Stat s);

// [start, end) in Unix seconds UTC, and its ISO 8601 label: 2024-03-05,
// 2024-W10 (ISO week, Monday first), 2024-03, 2023-12/2024-02 (DJF, MAM,
// JJA, SON; December belongs to the next year's DJF), 2024.
struct PeriodSpan {
  int64_t start = 0;
  int64_t end = 0;
  std::string label;
};
PeriodSpan period_of(PeriodKind kind, int64_t unix_seconds);

// Running moments of one variable in one period.
struct Moments {
  int64_t count = 0;
  double mean = 0, m2 = 0;
  double min = 0, max = 0;
  void add(double v);
  double value(Stat s) const;  // NaN when count == 0 (except count itself)
};

class Aggregator {
 public:
  Aggregator(PeriodKind kind, std::vector<Stat> stats, std::vector<drill::Column> columns);
  // Rows may come in any order (a backend's or a merged stream's).
  void add(const drill::Row& row);
  // Rows sorted by (period start, site order of first appearance); columns
  // named VAR_STAT with CF cell_methods; Series::periods holds the bounds.
  drill::Series finish() const;

 private:
  using SiteKey = std::tuple<std::string, double, double>;
  PeriodKind kind_;
  std::vector<Stat> stats_;
  std::vector<drill::Column> columns_;
  std::map<SiteKey, size_t> site_order_;
  std::vector<SiteKey> sites_;
  std::map<int64_t, PeriodSpan> spans_;
  std::map<std::pair<int64_t, size_t>, std::vector<Moments>> cells_;  // (period start, site)
};

drill::Series aggregate(const drill::Series& series, PeriodKind kind,
                        const std::vector<Stat>& stats);

}  // namespace pixeldrill::analysis

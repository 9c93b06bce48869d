#include "analysis/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::analysis {
namespace {

constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string year_text(int y) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", y);
  return buf;
}

int64_t month_start(int year, int month) {
  while (month > 12) month -= 12, ++year;
  while (month < 1) month += 12, --year;
  return days_from_civil({year, month, 1}) * kDay;
}

const char* cf_method(Stat s) {
  switch (s) {
    case Stat::kMean:
      return "mean";
    case Stat::kMin:
      return "minimum";
    case Stat::kMax:
      return "maximum";
    case Stat::kStd:
      return "standard_deviation";
    case Stat::kCount:
      return "";
  }
  return "";
}

const char* kind_name(PeriodKind k) {
  switch (k) {
    case PeriodKind::kDay:
      return "day";
    case PeriodKind::kWeek:
      return "ISO week";
    case PeriodKind::kMonth:
      return "month";
    case PeriodKind::kSeason:
      return "season";
    case PeriodKind::kYear:
      return "year";
  }
  return "";
}

}  // namespace

PeriodKind parse_period_kind(const std::string& text) {
  if (text == "day") return PeriodKind::kDay;
  if (text == "week") return PeriodKind::kWeek;
  if (text == "month") return PeriodKind::kMonth;
  if (text == "season") return PeriodKind::kSeason;
  if (text == "year") return PeriodKind::kYear;
  throw BadRequest("--aggregate '" + text + "': expected day, week, month, season or year");
}

std::vector<Stat> parse_stats(const std::string& text) {
  std::vector<Stat> out;
  std::string item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',') {
      if (text[i] != ' ') item += text[i];
      continue;
    }
    if (item.empty()) continue;
    Stat s;
    if (item == "mean")
      s = Stat::kMean;
    else if (item == "min")
      s = Stat::kMin;
    else if (item == "max")
      s = Stat::kMax;
    else if (item == "std")
      s = Stat::kStd;
    else if (item == "count")
      s = Stat::kCount;
    else
      throw BadRequest("--stats '" + item + "': expected mean, min, max, std or count");
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    item.clear();
  }
  if (out.empty()) throw BadRequest("--stats '" + text + "': no statistic named");
  return out;
}

const char* stat_name(Stat s) {
  switch (s) {
    case Stat::kMean:
      return "mean";
    case Stat::kMin:
      return "min";
    case Stat::kMax:
      return "max";
    case Stat::kStd:
      return "std";
    case Stat::kCount:
      return "count";
  }
  return "";
}

PeriodSpan period_of(PeriodKind kind, int64_t t) {
  const int64_t day = floor_div(t, kDay);
  const CivilDate d = civil_from_days(day);
  PeriodSpan p;
  switch (kind) {
    case PeriodKind::kDay:
      p.start = day * kDay;
      p.end = p.start + kDay;
      p.label = year_text(d.year) + "-" + two(d.month) + "-" + two(d.day);
      break;
    case PeriodKind::kWeek: {
      const int64_t weekday = ((day + 3) % 7 + 7) % 7;  // 0 = Monday; 1970-01-01 was a Thursday
      const int64_t monday = day - weekday;
      const CivilDate thursday = civil_from_days(monday + 3);  // its year is the ISO year
      const int64_t jan1 = days_from_civil({thursday.year, 1, 1});
      const int week = static_cast<int>((monday + 3 - jan1) / 7 + 1);
      p.start = monday * kDay;
      p.end = p.start + 7 * kDay;
      p.label = year_text(thursday.year) + "-W" + two(week);
      break;
    }
    case PeriodKind::kMonth:
      p.start = month_start(d.year, d.month);
      p.end = month_start(d.year, d.month + 1);
      p.label = year_text(d.year) + "-" + two(d.month);
      break;
    case PeriodKind::kSeason: {
      // Seasons start in December, March, June, September.
      const int sy = d.month <= 2 ? d.year - 1 : d.year;
      const int sm = d.month <= 2 || d.month == 12 ? 12 : d.month - d.month % 3;
      p.start = month_start(sy, sm);
      p.end = month_start(sy, sm + 3);
      const int ly = sm + 2 > 12 ? sy + 1 : sy;
      const int lm = (sm + 2 - 1) % 12 + 1;
      p.label = year_text(sy) + "-" + two(sm) + "/" + year_text(ly) + "-" + two(lm);
      break;
    }
    case PeriodKind::kYear:
      p.start = days_from_civil({d.year, 1, 1}) * kDay;
      p.end = days_from_civil({d.year + 1, 1, 1}) * kDay;
      p.label = year_text(d.year);
      break;
  }
  return p;
}

void Moments::add(double v) {
  if (std::isnan(v)) return;
  if (count == 0) min = max = v;
  min = std::min(min, v);
  max = std::max(max, v);
  ++count;
  const double delta = v - mean;
  mean += delta / static_cast<double>(count);
  m2 += delta * (v - mean);
}

double Moments::value(Stat s) const {
  if (s == Stat::kCount) return static_cast<double>(count);
  if (count == 0) return drill::Series::kMissing;
  switch (s) {
    case Stat::kMean:
      return mean;
    case Stat::kMin:
      return min;
    case Stat::kMax:
      return max;
    case Stat::kStd:
      return std::sqrt(std::max(0.0, m2 / static_cast<double>(count)));
    case Stat::kCount:
      break;
  }
  return drill::Series::kMissing;
}

Aggregator::Aggregator(PeriodKind kind, std::vector<Stat> stats, std::vector<drill::Column> columns)
    : kind_(kind), stats_(std::move(stats)), columns_(std::move(columns)) {}

void Aggregator::add(const drill::Row& row) {
  const SiteKey key{row.site, row.lat, row.lon};
  auto [it, inserted] = site_order_.emplace(key, sites_.size());
  if (inserted) sites_.push_back(key);
  PeriodSpan span = period_of(kind_, row.time);
  const int64_t start = span.start;
  spans_.try_emplace(start, std::move(span));
  auto& cell = cells_[{start, it->second}];
  if (cell.empty()) cell.resize(columns_.size());
  for (size_t v = 0; v < columns_.size() && v < row.values.size(); ++v) cell[v].add(row.values[v]);
}

drill::Series Aggregator::finish() const {
  drill::Series out;
  for (const auto& c : columns_) {
    for (Stat s : stats_) {
      drill::Column col = c;
      col.name = c.name + "_" + stat_name(s);
      // A mean or std carries more digits than the values; min/max are values.
      col.attributes = nlohmann::json::object();
      if (s != Stat::kMin && s != Stat::kMax) col.digits = drill::Digits::kDouble;
      if (s == Stat::kCount) {
        col.digits = drill::Digits::kInteger;
        col.units = "1";
        col.long_name = "number of valid " + c.name + " values in the " + kind_name(kind_);
        col.standard_name =
            c.standard_name.empty() ? "" : c.standard_name + " number_of_observations";
      } else {
        col.long_name = (c.long_name.empty() ? c.name : c.long_name) + " (" + stat_name(s) +
                        " over the " + kind_name(kind_) + ")";
        out.cell_methods[col.name] = std::string("time: ") + cf_method(s);
      }
      out.columns.push_back(std::move(col));
    }
  }
  for (const auto& [key, moments] : cells_) {
    drill::Row row;
    row.time = key.first;
    std::tie(row.site, row.lat, row.lon) = sites_[key.second];
    for (const auto& m : moments) {
      for (Stat s : stats_) row.values.push_back(m.value(s));
    }
    out.rows.push_back(std::move(row));
  }
  for (const auto& [start, span] : spans_) out.periods[start] = {span.end, span.label};
  return out;
}

drill::Series aggregate(const drill::Series& series, PeriodKind kind,
                        const std::vector<Stat>& stats) {
  Aggregator agg(kind, stats, series.columns);
  for (const auto& row : series.rows) agg.add(row);
  drill::Series out = agg.finish();
  out.problems = series.problems;
  out.notes = series.notes;
  out.source = series.source;
  return out;
}

}  // namespace pixeldrill::analysis

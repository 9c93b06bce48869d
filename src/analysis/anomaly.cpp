#include "analysis/anomaly.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace pixeldrill::analysis {

drill::TimeRange drill_range(const AnomalyRequest& request) {
  const auto [first, last] = climatology_days(request.climatology);
  drill::TimeRange r;
  // An open end stays open: the output reaches as far as the data.
  if (request.output.from) r.from = std::min(*request.output.from, first * 86400);
  if (request.output.to) r.to = std::max(*request.output.to, last * 86400 + 86399);
  return r;
}

AnomalyResult analyse_anomalies(const drill::Series& series, const AnomalyRequest& request) {
  size_t column = series.columns.size();
  for (size_t c = 0; c < series.columns.size(); ++c) {
    if (series.columns[c].name == request.variable) column = c;
  }
  if (column == series.columns.size()) {
    throw BadRequest("--climatology: variable '" + request.variable + "' is not in the drill");
  }
  using SiteKey = std::tuple<std::string, double, double>;
  std::map<SiteKey, size_t> index;
  std::vector<SiteKey> sites;
  std::vector<DailyAccumulator> daily;
  for (const auto& row : series.rows) {
    const SiteKey key{row.site, row.lat, row.lon};
    auto [it, inserted] = index.emplace(key, sites.size());
    if (inserted) {
      sites.push_back(key);
      daily.emplace_back();
    }
    daily[it->second].add(row.time, row.values[column]);
  }

  AnomalyResult result;
  std::vector<Climatology> climatologies;
  for (size_t s = 0; s < sites.size(); ++s) {
    DailySeries days = daily[s].finish();
    if (request.gapfill_days > 0) days = gapfill(days, request.gapfill_days);
    const auto& [id, lat, lon] = sites[s];
    try {
      climatologies.push_back(compute_climatology(days, request.climatology));
    } catch (const Error& e) {
      const std::string where =
          id.empty() ? "at " + std::to_string(lat) + "," + std::to_string(lon) : "at station " + id;
      throw BadRequest(std::string(e.what()) + " " + where);
    }
    const int64_t first = request.output.from ? day_of(*request.output.from) : days.first_day;
    const int64_t last = request.output.to ? day_of(*request.output.to) : days.last_day();
    SiteHeatwaves hw{id, lat, lon, {}};
    if (last >= first) {
      hw.events =
          detect_heatwaves(days.slice(first, last), climatologies.back(), request.heatwaves);
    }
    result.heatwaves.push_back(std::move(hw));
  }

  drill::Series& out = result.series;
  out.columns = series.columns;
  const drill::Column& base = series.columns[column];
  for (const char* suffix : {"clim", "thresh", "anomaly"}) {
    drill::Column c = base;
    c.name = base.name + "_" + suffix;
    c.standard_name.clear();
    c.digits = drill::Digits::kDouble;  // statistics over many days, not stored values
    c.attributes = nlohmann::json::object();
    const std::string what = std::string(suffix) == "clim"     ? "day-of-year climatology (mean)"
                             : std::string(suffix) == "thresh" ? "day-of-year 90th percentile"
                                                               : "anomaly from the climatology";
    c.long_name = base.name + " " + what + ", base " +
                  std::to_string(request.climatology.base_first_year) + "-" +
                  std::to_string(request.climatology.base_last_year);
    out.columns.push_back(std::move(c));
  }
  out.problems = series.problems;
  out.notes = series.notes;
  out.source = series.source;
  for (const auto& row : series.rows) {
    if (!request.output.contains(row.time)) continue;
    const Climatology& c = climatologies[index.at({row.site, row.lat, row.lon})];
    const int64_t day = day_of(row.time);
    drill::Row r = row;
    const double seas = c.seas_on(day);
    r.values.push_back(seas);
    r.values.push_back(c.thresh_on(day));
    r.values.push_back(row.values[column] - seas);
    out.rows.push_back(std::move(r));
  }
  return result;
}

}  // namespace pixeldrill::analysis

#include "analysis/analysis_request.h"

#include <algorithm>

#include "core/error.h"

namespace pixeldrill::analysis {
namespace {

int parse_year(const std::string& text, const std::string& what) {
  if (text.size() != 4 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw BadRequest(what + " '" + text + "': expected a year YYYY");
  }
  return std::stoi(text);
}

// --climatology 1993-2022, or --climatology-from/--to; nullopt when neither.
std::optional<AnomalyRequest> anomaly_request(const AnalysisText& o, const drill::Query& q) {
  const bool split = o.climatology_from > 0 || o.climatology_to > 0;
  if (o.climatology.empty() && !split) {
    if (o.mhw) throw BadRequest("--mhw needs --climatology BASE (e.g. 1993-2022)");
    if (o.gapfill > 0) throw BadRequest("--gapfill needs --climatology and --mhw");
    return std::nullopt;
  }
  AnomalyRequest r;
  if (!o.climatology.empty()) {
    if (split) throw BadRequest("give --climatology or --climatology-from/--to, not both");
    const size_t dash = o.climatology.find('-');
    if (dash == std::string::npos) {
      throw BadRequest("--climatology '" + o.climatology + "': expected FIRST-LAST years");
    }
    r.climatology.base_first_year = parse_year(o.climatology.substr(0, dash), "--climatology");
    r.climatology.base_last_year = parse_year(o.climatology.substr(dash + 1), "--climatology");
  } else {
    if (o.climatology_from <= 0 || o.climatology_to <= 0) {
      throw BadRequest("--climatology-from and --climatology-to go together");
    }
    r.climatology.base_first_year = o.climatology_from;
    r.climatology.base_last_year = o.climatology_to;
  }
  if (r.climatology.base_first_year > r.climatology.base_last_year) {
    throw BadRequest("climatology base period ends before it starts");
  }
  if (o.gapfill < 0 || o.gapfill > 366) throw BadRequest("--gapfill must be 0..366 days");
  r.variable = o.clim_var;
  if (r.variable.empty()) {
    for (const auto& v : q.vars) {
      if (v != "quality_level") {
        r.variable = v;
        break;
      }
    }
  }
  if (std::find(q.vars.begin(), q.vars.end(), r.variable) == q.vars.end()) {
    throw BadRequest("--clim-var '" + r.variable + "' is not among --var");
  }
  r.gapfill_days = o.gapfill;
  r.output = q.time;
  return r;
}

}  // namespace

AnalysisRequest parse_analysis(const AnalysisText& text, const drill::Query& query) {
  AnalysisRequest r;
  r.anomalies = anomaly_request(text, query);
  r.mhw = text.mhw;
  if (!text.aggregate.empty()) {
    if (r.anomalies) throw BadRequest("--aggregate and --climatology cannot be combined (yet)");
    r.period = parse_period_kind(text.aggregate);
    r.stats = parse_stats(text.stats);
  }
  return r;
}

drill::Query analysis_drill_query(const AnalysisRequest& request, drill::Query query) {
  if (request.anomalies) query.time = drill_range(*request.anomalies);
  return query;
}

AnalysisOutput run_analysis(const AnalysisRequest& request, drill::Series series) {
  AnalysisOutput out;
  if (request.period) series = aggregate(series, *request.period, request.stats);
  if (request.anomalies) {
    AnomalyResult result = analyse_anomalies(series, *request.anomalies);
    out.heatwaves = std::move(result.heatwaves);
    series = std::move(result.series);
  }
  out.series = std::move(series);
  return out;
}

}  // namespace pixeldrill::analysis

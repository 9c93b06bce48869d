#pragma once
// The analysis options as users type them (CLI flags, HTTP query
// parameters), parsed once so the CLI and the server accept the same things
// with the same messages (which name the CLI's flags, as drill/query_text.h
// does), and the analysis run on a drilled Series the same way for both.
#include <optional>
#include <string>
#include <vector>

#include "analysis/aggregate.h"
#include "analysis/anomaly.h"
#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::analysis {

struct AnalysisText {
  std::string aggregate;  // day|week|month|season|year; empty: none
  std::string stats = "mean,min,max,std,count";
  std::string climatology;  // "FIRST-LAST" years
  int climatology_from = 0, climatology_to = 0;
  std::string clim_var;
  bool mhw = false;
  int gapfill = 0;
};

struct AnalysisRequest {
  std::optional<PeriodKind> period;  // --aggregate
  std::vector<Stat> stats;
  std::optional<AnomalyRequest> anomalies;  // --climatology (and --mhw, --gapfill)
  bool mhw = false;

  bool any() const { return period || anomalies; }
};

// Throws BadRequest naming the option. `query` gives the variables and the
// output range; drill_range() then says what the drill must cover.
AnalysisRequest parse_analysis(const AnalysisText& text, const drill::Query& query);

// The query to drill for `request`: the same, with the time range widened
// to the climatology's base period when there is one.
drill::Query analysis_drill_query(const AnalysisRequest& request, drill::Query query);

struct AnalysisOutput {
  drill::Series series;                  // aggregated, or with clim/thresh/anomaly columns
  std::vector<SiteHeatwaves> heatwaves;  // with a climatology: events per site
};

AnalysisOutput run_analysis(const AnalysisRequest& request, drill::Series series);

}  // namespace pixeldrill::analysis

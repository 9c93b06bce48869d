#pragma once
// Climatology, anomaly and marine heatwaves of one variable along a drilled
// Series, per site (station, point, box pixel or reduced box): the pieces of
// climatology.h and marine_heatwaves.h put together the way the CLI and a
// server ask for them.
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/climatology.h"
#include "analysis/marine_heatwaves.h"
#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::analysis {

struct AnomalyRequest {
  std::string variable;  // a column of the Series
  ClimatologyOptions climatology;
  HeatwaveOptions heatwaves;
  int gapfill_days = 0;     // > 0: gapfill(max_gap) before the climatology and detection
  drill::TimeRange output;  // rows and events reported; unset ends: the Series' own
};

struct SiteHeatwaves {
  std::string site;
  double lat = 0, lon = 0;
  std::vector<HeatwaveEvent> events;
};

struct AnomalyResult {
  // The input rows inside `output`, with three columns added after the
  // input's: VAR_clim (seas), VAR_thresh, VAR_anomaly (value - clim).
  drill::Series series;
  std::vector<SiteHeatwaves> heatwaves;  // one per site, in order of first appearance
};

// The time range a drill must cover to answer `request` (its output range
// joined with the base period and the window around it).
drill::TimeRange drill_range(const AnomalyRequest& request);

// Throws BadRequest when the variable is not in the Series or a site's base
// period holds no valid value.
AnomalyResult analyse_anomalies(const drill::Series& series, const AnomalyRequest& request);

}  // namespace pixeldrill::analysis

#include "output/heatwave_table.h"

#include <nlohmann/json.hpp>

#include "core/civil_time.h"
#include "output/format_number.h"
#include "output/table_writers.h"

namespace pixeldrill::output {
namespace {

std::string day_text(int64_t day) { return format_iso8601(day * 86400).substr(0, 10); }

}  // namespace

std::string heatwaves_to_csv(const std::vector<analysis::SiteHeatwaves>& sites) {
  std::string out =
      "site,lat,lon,start,end,peak,duration_days,intensity_max,intensity_mean,"
      "intensity_cumulative,category,category_name\n";
  for (const auto& s : sites) {
    for (const auto& e : s.events) {
      out +=
          csv_field(s.site) + "," + format_coordinate(s.lat) + "," + format_coordinate(s.lon) + ",";
      out += day_text(e.start_day) + "," + day_text(e.end_day) + "," + day_text(e.peak_day) + ",";
      out += std::to_string(e.duration) + "," + format_value(e.intensity_max) + ",";
      out += format_value(e.intensity_mean) + "," + format_value(e.intensity_cumulative) + ",";
      out += std::to_string(e.category) + "," + analysis::category_name(e.category) + "\n";
    }
  }
  return out;
}

std::string heatwaves_to_json(const std::vector<analysis::SiteHeatwaves>& sites,
                              const std::string& units) {
  using nlohmann::json;
  json out = json::array();
  for (const auto& s : sites) {
    json events = json::array();
    for (const auto& e : s.events) {
      events.push_back({{"start", day_text(e.start_day)},
                        {"end", day_text(e.end_day)},
                        {"peak", day_text(e.peak_day)},
                        {"duration_days", e.duration},
                        {"intensity_max", e.intensity_max},
                        {"intensity_mean", e.intensity_mean},
                        {"intensity_cumulative", e.intensity_cumulative},
                        {"category", e.category},
                        {"category_name", analysis::category_name(e.category)}});
    }
    out.push_back({{"site", s.site},
                   {"lat", std::stod(format_coordinate(s.lat))},
                   {"lon", std::stod(format_coordinate(s.lon))},
                   {"events", events}});
  }
  return json({{"units", units}, {"sites", out}}).dump(1) + "\n";
}

}  // namespace pixeldrill::output

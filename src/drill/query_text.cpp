#include "drill/query_text.h"

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/stations.h"

namespace pixeldrill::drill {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (text[i] != ' ') {
      item += text[i];
    }
  }
  return out;
}

Query parse_query(const QueryText& t) {
  // Every parse error is the caller's to fix.
  try {
    Query q;
    const int chosen = !t.point.empty() + !t.stations.empty() + !t.box.empty() + !t.bbox.empty();
    if (chosen != 1) throw Error("give exactly one of --point, --stations, --box or --bbox");
    if (!t.point.empty()) q.sites = {parse_point(t.point)};
    if (!t.stations.empty()) {
      Stations stations = read_station_table(t.stations);
      q.sites = std::move(stations.sites);
      if (t.keep_columns) {
        q.site_columns = std::move(stations.extra_columns);
        q.site_values = std::move(stations.extra);
      }
    }
    if (t.keep_columns && t.stations.empty()) throw Error("--keep-columns needs --stations");
    if (!t.box.empty()) q.box = parse_box(t.box);
    if (!t.bbox.empty()) q.box = parse_bbox(t.bbox);
    if (!t.nearest_valid.empty()) {
      double km = 0;
      size_t used = 0;
      try {
        km = std::stod(t.nearest_valid, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != t.nearest_valid.size() || !(km > 0) || km > 1000) {
        throw Error("--nearest-valid '" + t.nearest_valid +
                    "': expected a radius in km, more than 0 and at most 1000");
      }
      if (q.box) throw Error("--nearest-valid needs --point or --stations, not a box");
      q.nearest_valid_km = km;
    }
    q.reduce = parse_reduce(t.reduce);
    if (q.reduce != Reduce::kNone && !q.box) throw Error("--reduce needs --box");
    if (!t.vars.empty()) {
      q.vars = split_list(t.vars);
      if (q.vars.empty()) throw Error("--vars '" + t.vars + "': no variable names");
    }
    if (!t.from.empty()) q.time.from = parse_iso8601_start(t.from, "--from");
    // A date, month or year means the whole of it.
    if (!t.to.empty()) q.time.to = parse_iso8601_end(t.to, "--to");
    if (q.time.from && q.time.to && *q.time.from > *q.time.to) {
      throw Error("--from " + t.from + " is after --to " + t.to);
    }
    if (t.min_quality >= 0) q.min_quality = t.min_quality;
    q.celsius = t.celsius;
    q.product = t.product;
    return q;
  } catch (const Error& e) {
    // Parsers throw plain Errors; a stations file that is not there keeps its kind.
    if (e.kind() == ErrorKind::kIo) throw BadRequest(e.what());
    throw;
  }
}

}  // namespace pixeldrill::drill

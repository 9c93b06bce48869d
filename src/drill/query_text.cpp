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
    const int chosen = !t.point.empty() + !t.stations.empty() + !t.box.empty();
    if (chosen != 1) throw Error("give exactly one of --point, --stations or --box");
    if (!t.point.empty()) q.sites = {parse_point(t.point)};
    if (!t.stations.empty()) q.sites = read_stations(t.stations);
    if (!t.box.empty()) q.box = parse_box(t.box);
    q.reduce = parse_reduce(t.reduce);
    if (q.reduce != Reduce::kNone && !q.box) throw Error("--reduce needs --box");
    if (!t.vars.empty()) {
      q.vars = split_list(t.vars);
      if (q.vars.empty()) throw Error("--vars '" + t.vars + "': no variable names");
    }
    if (!t.from.empty()) q.time.from = parse_iso8601(t.from, "--from");
    if (!t.to.empty()) {
      // A bare date means the whole of that day.
      q.time.to = parse_iso8601(t.to, "--to") + (t.to.size() == 10 ? 86399 : 0);
    }
    if (q.time.from && q.time.to && *q.time.from > *q.time.to) {
      throw Error("--from " + t.from + " is after --to " + t.to);
    }
    if (t.min_quality >= 0) q.min_quality = t.min_quality;
    q.celsius = t.celsius;
    return q;
  } catch (const Error& e) {
    // Parsers throw plain Errors; a stations file that is not there keeps its kind.
    if (e.kind() == ErrorKind::kIo) throw BadRequest(e.what());
    throw;
  }
}

}  // namespace pixeldrill::drill

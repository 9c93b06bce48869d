#include "core/civil_time.h"

#include <cstdio>

#include "core/error.h"

namespace pixeldrill {

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t days_from_civil(CivilDate d) {
  const int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

std::string format_iso8601(int64_t t) {
  const int64_t days = floor_div(t, 86400);
  const int64_t secs = t - days * 86400;
  const CivilDate d = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

std::string format_yyyymmdd(int64_t t) {
  const CivilDate d = civil_from_days(floor_div(t, 86400));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

int64_t parse_iso8601(std::string_view text, std::string_view what) {
  const std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char sep = 0;
  int consumed = 0;
  const int n = std::sscanf(s.c_str(), "%4d-%2d-%2d%n%c%2d:%2d%n", &y, &mo, &d, &consumed, &sep, &h,
                            &mi, &consumed);
  bool ok =
      (n == 3 && consumed == static_cast<int>(s.size())) || (n == 6 && (sep == 'T' || sep == ' '));
  if (ok && n == 6) {
    std::string_view rest = std::string_view(s).substr(static_cast<size_t>(consumed));
    if (!rest.empty() && rest.front() == ':') {
      int used = 0;
      ok = std::sscanf(std::string(rest).c_str(), ":%2d%n", &se, &used) == 1;
      rest.remove_prefix(static_cast<size_t>(used));
    }
    ok = ok && (rest.empty() || rest == "Z");
  }
  ok = ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && se < 61;
  if (ok) {
    const CivilDate back = civil_from_days(days_from_civil({y, mo, d}));
    ok = back.month == mo && back.day == d;
  }
  if (!ok) {
    throw BadRequest(std::string(what) + ": '" + s + "' is not a date (expected YYYY-MM-DD or " +
                     "YYYY-MM-DDTHH:MM:SSZ)");
  }
  return days_from_civil({y, mo, d}) * 86400 + h * 3600 + mi * 60 + se;
}

std::string describe_time_span(const std::vector<int64_t>& t) {
  if (t.empty()) return "no time steps";
  bool sub_daily = false;
  for (size_t i = 1; i < t.size(); ++i) sub_daily = sub_daily || t[i] - t[i - 1] < 86400;
  auto stamp = [&](int64_t v) {
    return sub_daily ? format_iso8601(v) : format_iso8601(v).substr(0, 10);
  };
  const std::string unit = sub_daily ? " time step" : " day";
  return stamp(t.front()) + ".." + stamp(t.back()) + ", " + std::to_string(t.size()) + unit +
         (t.size() == 1 ? "" : "s");
}

}  // namespace pixeldrill

#include "catalog/time_axis.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::catalog {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

int64_t unit_seconds(const std::string& unit) {
  if (unit == "seconds" || unit == "second" || unit == "secs" || unit == "sec" || unit == "s")
    return 1;
  if (unit == "minutes" || unit == "minute" || unit == "mins" || unit == "min") return 60;
  if (unit == "hours" || unit == "hour" || unit == "hrs" || unit == "hr" || unit == "h")
    return 3600;
  if (unit == "days" || unit == "day" || unit == "d") return 86400;
  return 0;
}

// "1981-01-01", "1981-01-01 00:00:00", "1981-01-01T00:00:00Z", "1981-1-1 0:0:0",
// optionally followed by a "UTC"/"+00:00" zone.
bool parse_reference(std::string text, int64_t* out) {
  text = trim(text);
  for (const char* suffix : {" UTC", "UTC", "+00:00", " +00:00", "Z", "+0000", " +0000"}) {
    const std::string s(suffix);
    if (text.size() > s.size() && text.compare(text.size() - s.size(), s.size(), s) == 0) {
      text = trim(text.substr(0, text.size() - s.size()));
      break;
    }
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  char sep = 0;
  int used = 0;
  const int n = std::sscanf(text.c_str(), "%d-%d-%d%n", &y, &mo, &d, &used);
  if (n != 3) return false;
  std::string rest = text.substr(static_cast<size_t>(used));
  if (!rest.empty()) {
    int used2 = 0;
    const int m = std::sscanf(rest.c_str(), "%c%d:%d%n", &sep, &h, &mi, &used2);
    if (m != 3 || (sep != ' ' && sep != 'T')) return false;
    rest = rest.substr(static_cast<size_t>(used2));
    if (!rest.empty()) {
      int used3 = 0;
      if (std::sscanf(rest.c_str(), ":%lf%n", &sec, &used3) != 1) return false;
      if (static_cast<size_t>(used3) != rest.size()) return false;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
      sec >= 61)
    return false;
  *out = days_from_civil({y, mo, d}) * 86400 + h * 3600 + mi * 60 + std::llround(sec);
  return true;
}

}  // namespace

TimeUnits TimeUnits::parse(const std::string& units, const std::string& calendar,
                           const std::string& where) {
  const std::string cal = lower(trim(calendar));
  if (!cal.empty() && cal != "standard" && cal != "gregorian" && cal != "proleptic_gregorian") {
    throw Error(where + ": calendar '" + calendar +
                "' is not supported (only standard, gregorian, proleptic_gregorian)");
  }
  const std::string original = trim(units);
  const std::string u = lower(original);
  const size_t since = u.find(" since ");
  TimeUnits t;
  if (since == std::string::npos ||
      (t.seconds_per_unit = unit_seconds(trim(u.substr(0, since)))) == 0 ||
      !parse_reference(original.substr(since + 7), &t.reference)) {
    throw Error(where + ": time units '" + units +
                "' are not '<seconds|minutes|hours|days> since <date[ time]>'");
  }
  if (cal != "proleptic_gregorian" && t.reference < days_from_civil({1582, 10, 15}) * 86400) {
    // The standard calendar is Julian before 1582-10-15; pixeldrill only
    // does the proleptic Gregorian arithmetic.
    throw Error(where + ": time reference before 1582-10-15 in calendar '" + calendar +
                "' is not supported");
  }
  return t;
}

int64_t TimeUnits::to_unix(double value) const {
  return reference + std::llround(value * static_cast<double>(seconds_per_unit));
}

}  // namespace pixeldrill::catalog

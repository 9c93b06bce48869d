#pragma once
// Proleptic Gregorian calendar arithmetic on Unix seconds (UTC), without the
// C library's time-zone state, so results do not depend on TZ.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pixeldrill {

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};

int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(int64_t days);

// "2025-01-01T15:20:00Z"
std::string format_iso8601(int64_t unix_seconds);
// "20250101"
std::string format_yyyymmdd(int64_t unix_seconds);

// "2020-01-01..2020-01-03, 3 days" for sorted daily-or-slower times, or
// "2020-01-01T00:00:00Z..2020-01-01T20:00:00Z, 6 time steps" when two are
// less than a day apart (sub-daily products need the time of day).
std::string describe_time_span(const std::vector<int64_t>& sorted_times);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]" and "YYYY-MM-DD HH:MM:SS".
// Throws Error naming `what` (e.g. "--from") on malformed text.
int64_t parse_iso8601(std::string_view text, std::string_view what);

}  // namespace pixeldrill

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
// The same 20 characters (more for years past 9999 or before 0) written at
// `out`, which must hold kIso8601Max; returns the end. No allocation and no
// printf: long CSV series spend most of their formatting time here.
inline constexpr size_t kIso8601Max = 32;
char* write_iso8601(char* out, int64_t unix_seconds);
// write_iso8601 for a run of times: the date and the time of day are
// rendered again only when they change (a daily series changes only the
// day), which halves a long CSV series' formatting.
class Iso8601Writer {
 public:
  char* write(char* out, int64_t unix_seconds);

 private:
  bool have_day_ = false;
  int64_t days_ = 0;
  CivilDate date_;
  char date_text_[kIso8601Max] = {};
  size_t date_size_ = 0;
  int secs_ = -1;
  char time_text_[10] = {};  // "THH:MM:SSZ"
};
// "20250101"
std::string format_yyyymmdd(int64_t unix_seconds);

// "2020-01-01..2020-01-03, 3 days" for sorted daily-or-slower times, or
// "2020-01-01T00:00:00Z..2020-01-01T20:00:00Z, 6 time steps" when two are
// less than a day apart (sub-daily products need the time of day).
std::string describe_time_span(const std::vector<int64_t>& sorted_times);

// ISO 8601 as people write it: "YYYY", "YYYY-MM", "YYYY-MM-DD" and
// "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]" followed by nothing (UTC), "Z" or an
// offset "+HH:MM", "+HHMM", "+HH" (also "-"). Returns the first second of
// what the text names (a year, a month, a day or an instant; a fraction of a
// second rounds down). Throws BadRequest naming `what` (e.g. "--from").
int64_t parse_iso8601(std::string_view text, std::string_view what);

// The same text as the end of an inclusive range: the last whole second of
// the year, month or day it names ("--to 2021-03" is through 2021-03-31
// 23:59:59Z), or the instant itself (a fraction rounds down).
int64_t parse_iso8601_end(std::string_view text, std::string_view what);
// ...and as the start of one: a fraction of a second rounds up, so that
// "--from 00:00:00.5" does not take the step at 00:00:00.
int64_t parse_iso8601_start(std::string_view text, std::string_view what);

}  // namespace pixeldrill

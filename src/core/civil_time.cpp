#include "core/civil_time.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>

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

namespace {
// Two digits of 0..99.
char* put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// A year as printf's "%04d" writes it: at least four digits, a sign when negative.
char* put_year(char* p, int year) {
  if (year >= 0 && year <= 9999) {
    p = put2(p, year / 100);
    return put2(p, year % 100);
  }
  const auto r = std::to_chars(p, p + 12, year);
  const long length = r.ptr - p;
  if (length >= 4) return r.ptr;
  // Negative and short: "%04d" pads after the sign to four characters ("-012").
  const long digits = length - 1, zeros = 4 - length;
  std::memmove(p + 1 + zeros, p + 1, static_cast<size_t>(digits));
  std::memset(p + 1, '0', static_cast<size_t>(zeros));
  return p + 4;
}

char* put_date(char* p, const CivilDate& d) {
  p = put_year(p, d.year);
  *p++ = '-';
  p = put2(p, d.month);
  *p++ = '-';
  return put2(p, d.day);
}
}  // namespace

char* write_iso8601(char* out, int64_t t) {
  const int64_t days = floor_div(t, 86400);
  const int secs = static_cast<int>(t - days * 86400);
  char* p = put_date(out, civil_from_days(days));
  *p++ = 'T';
  p = put2(p, secs / 3600);
  *p++ = ':';
  p = put2(p, secs / 60 % 60);
  *p++ = ':';
  p = put2(p, secs % 60);
  *p++ = 'Z';
  return p;
}

char* Iso8601Writer::write(char* out, int64_t t) {
  const int64_t days = floor_div(t, 86400);
  const int secs = static_cast<int>(t - days * 86400);
  if (!have_day_ || days != days_) {
    if (have_day_ && days == days_ + 1 && date_.day < 28) {
      ++date_.day;  // the same month: only the day's digits change
      put2(date_text_ + date_size_ - 2, date_.day);
    } else {
      date_ = civil_from_days(days);
      date_size_ = static_cast<size_t>(put_date(date_text_, date_) - date_text_);
    }
    days_ = days;
    have_day_ = true;
  }
  if (secs != secs_) {
    char* p = time_text_;
    *p++ = 'T';
    p = put2(p, secs / 3600);
    *p++ = ':';
    p = put2(p, secs / 60 % 60);
    *p++ = ':';
    p = put2(p, secs % 60);
    *p = 'Z';
    secs_ = secs;
  }
  if (date_size_ == 10) {
    std::memcpy(out, date_text_, 10);  // YYYY-MM-DD: a fixed copy, not a call
  } else {
    std::memcpy(out, date_text_, date_size_);
  }
  std::memcpy(out + date_size_, time_text_, sizeof time_text_);
  return out + date_size_ + sizeof time_text_;
}

std::string format_iso8601(int64_t t) {
  char buf[kIso8601Max];
  return std::string(buf, write_iso8601(buf, t));
}

std::string format_yyyymmdd(int64_t t) {
  const CivilDate d = civil_from_days(floor_div(t, 86400));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

namespace {

// What a text names: [first, last] whole seconds, and whether a fraction of a
// second was cut off the first.
struct TimeSpan {
  int64_t first = 0;
  int64_t last = 0;
  bool fraction = false;
};

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<TimeSpan> parse_span(std::string_view s) {
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, &y)) return std::nullopt;
  if (s.size() == 4) {
    return TimeSpan{days_from_civil({y, 1, 1}) * 86400, days_from_civil({y + 1, 1, 1}) * 86400 - 1};
  }
  if (s[4] != '-' || !digits(s, 5, 2, &mo) || mo < 1 || mo > 12) return std::nullopt;
  if (s.size() == 7) {
    const CivilDate next = mo == 12 ? CivilDate{y + 1, 1, 1} : CivilDate{y, mo + 1, 1};
    return TimeSpan{days_from_civil({y, mo, 1}) * 86400, days_from_civil(next) * 86400 - 1};
  }
  if (s[7] != '-' || !digits(s, 8, 2, &d) || d < 1) return std::nullopt;
  const CivilDate back = civil_from_days(days_from_civil({y, mo, d}));
  if (back.month != mo || back.day != d) return std::nullopt;
  const int64_t day = days_from_civil({y, mo, d}) * 86400;
  if (s.size() == 10) return TimeSpan{day, day + 86399};
  if ((s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, &h) || s.size() < 16 || s[13] != ':' ||
      !digits(s, 14, 2, &mi) || h > 23 || mi > 59) {
    return std::nullopt;
  }
  size_t at = 16;
  bool fraction = false;
  if (at < s.size() && s[at] == ':') {
    if (!digits(s, at + 1, 2, &se) || se > 60) return std::nullopt;
    at += 3;
    if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
      ++at;
      const size_t begin = at;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') fraction |= s[at++] != '0';
      if (at == begin) return std::nullopt;
    }
  }
  int64_t offset = 0;  // seconds east of UTC
  if (at < s.size() && s[at] == 'Z') {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    const int sign = s[at] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!digits(s, at + 1, 2, &oh) || oh > 14) return std::nullopt;
    at += 3;
    if (at < s.size() && s[at] == ':') ++at;
    if (at < s.size()) {
      if (!digits(s, at, 2, &om) || om > 59) return std::nullopt;
      at += 2;
    }
    offset = sign * (oh * 3600 + om * 60);
  }
  if (at != s.size()) return std::nullopt;
  const int64_t t = day + h * 3600 + mi * 60 + se - offset;
  return TimeSpan{t, t, fraction};
}

TimeSpan parse_or_throw(std::string_view text, std::string_view what) {
  const auto span = parse_span(text);
  if (!span) {
    throw BadRequest(std::string(what) + ": '" + std::string(text) +
                     "' is not a date (expected ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD or "
                     "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM])");
  }
  return *span;
}

}  // namespace

int64_t parse_iso8601(std::string_view text, std::string_view what) {
  return parse_or_throw(text, what).first;
}

int64_t parse_iso8601_end(std::string_view text, std::string_view what) {
  return parse_or_throw(text, what).last;
}

int64_t parse_iso8601_start(std::string_view text, std::string_view what) {
  const TimeSpan span = parse_or_throw(text, what);
  return span.first + (span.fraction ? 1 : 0);
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

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <vector>

#include "core/civil_time.h"
#include "core/error.h"

using namespace pixeldrill;

TEST(CivilTime, FormatsImosFileStamp) {
  // 2025-01-01 15:20 UTC is 1388589600 s after 1981-01-01 in the real file.
  const int64_t epoch_1981 = days_from_civil({1981, 1, 1}) * 86400;
  EXPECT_EQ(format_iso8601(epoch_1981 + 1388589600), "2025-01-01T15:20:00Z");
  EXPECT_EQ(format_yyyymmdd(epoch_1981 + 1388589600), "20250101");
}

// The hand-written formatter (no snprintf: issue #9) against the C library's
// gmtime_r printed as the old "%04d-%02d-%02dT%02d:%02d:%02dZ", across years
// with fewer and more than four digits and before year 0.
TEST(CivilTime, FormatsLikeGmtimeAndPrintf) {
  const int64_t from = -70000LL * 365 * 86400, to = 9000LL * 366 * 86400;
  for (int64_t t = from; t < to; t += 86400 * 371 + 3677) {
    for (const int64_t s : {t, t - t % 86400, t - t % 86400 + 86399}) {
      const time_t tt = static_cast<time_t>(s);
      std::tm tm{};
      ASSERT_NE(gmtime_r(&tt, &tm), nullptr);
      char want[64];
      std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      char got[kIso8601Max];
      ASSERT_EQ(std::string(got, write_iso8601(got, s)), want) << s;
      ASSERT_EQ(format_iso8601(s), want) << s;
    }
  }
}

// A run of times written by one Iso8601Writer (which re-renders only what
// changed) reads as each written alone: daily steps across month and year
// ends and leap days, sub-daily steps, gaps, steps backwards, years < 0.
TEST(CivilTime, WriterForARunOfTimesEqualsOneAtATime) {
  std::vector<int64_t> times;
  const int64_t y1999 = days_from_civil({1999, 12, 1}) * 86400 + 55200;
  for (int64_t d = 0; d < 800; ++d) times.push_back(y1999 + d * 86400);  // 2000-02-29 inside
  for (int64_t h = 0; h < 60; ++h) times.push_back(y1999 + h * 4 * 3600);
  for (const int64_t t : {int64_t{0}, int64_t{-1}, int64_t{86399}, int64_t{86400}, y1999,
                          y1999 - 86400, days_from_civil({-3, 2, 27}) * 86400}) {
    times.push_back(t);
  }
  for (int64_t d = 0; d < 5; ++d) times.push_back(days_from_civil({-3, 2, 27}) * 86400 + d * 86400);
  Iso8601Writer writer;
  for (const int64_t t : times) {
    char got[kIso8601Max];
    ASSERT_EQ(std::string(got, writer.write(got, t)), format_iso8601(t)) << t;
  }
}

TEST(CivilTime, ParsesDatesAndTimes) {
  EXPECT_EQ(parse_iso8601("1970-01-01", "--from"), 0);
  EXPECT_EQ(parse_iso8601("2000-03-01T00:00:01Z", "--to"), 951868801);
  EXPECT_EQ(parse_iso8601("1992-03-21 15:20", "--to"), 701191200);
}

TEST(CivilTime, RejectsBadDatesNamingTheParameter) {
  try {
    parse_iso8601("2025-02-30", "--from");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--from"), std::string::npos);
  }
  EXPECT_THROW(parse_iso8601("yesterday", "--to"), Error);
  EXPECT_THROW(parse_iso8601("2025-01-01T25:00", "--to"), Error);
}

TEST(CivilTime, RoundTripsDaysAcrossCenturies) {
  for (int64_t d = -800000; d < 800000; d += 997) {
    EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
  }
}

// ISO 8601 as people type it (issue #13): offsets, Z, fractions, months, years.
// Expected values from Python's datetime/pandas (2021-01-01T00:00:00Z = 1609459200).
TEST(CivilTime, ParsesOffsetsAndFractionalSeconds) {
  EXPECT_EQ(parse_iso8601("2021-01-01T10:00:00+10:00", "--from"), 1609459200);
  EXPECT_EQ(parse_iso8601("2021-01-01T10:00+1000", "--from"), 1609459200);
  EXPECT_EQ(parse_iso8601("2021-01-01T10:00:00+10", "--from"), 1609459200);
  EXPECT_EQ(parse_iso8601("2021-01-01T05:30-03:30", "--from"), 1609491600);
  EXPECT_EQ(parse_iso8601("2021-01-01T00:00:00Z", "--from"), 1609459200);
  // A fraction: the start of a range rounds up, its end (and a plain instant) down.
  EXPECT_EQ(parse_iso8601("2021-01-01T00:00:00.75Z", "--to"), 1609459200);
  EXPECT_EQ(parse_iso8601_end("2021-01-01T00:00:00.75Z", "--to"), 1609459200);
  EXPECT_EQ(parse_iso8601_start("2021-01-01T00:00:00.75Z", "--from"), 1609459201);
  EXPECT_EQ(parse_iso8601_start("2021-01-01T00:00:00.000Z", "--from"), 1609459200);
}

TEST(CivilTime, MonthsAndYearsAreWholePeriods) {
  EXPECT_EQ(parse_iso8601_start("2021-03", "--from"), 1614556800);  // 2021-03-01
  EXPECT_EQ(parse_iso8601_end("2021-03", "--to"), 1617235200 - 1);  // through 2021-03-31
  EXPECT_EQ(parse_iso8601_end("2020-02", "--to"), 1583020800 - 1);  // leap February
  EXPECT_EQ(parse_iso8601_start("2021", "--from"), 1609459200);
  EXPECT_EQ(parse_iso8601_end("2021", "--to"), 1640995200 - 1);
  EXPECT_EQ(parse_iso8601_end("2021-12", "--to"), 1640995200 - 1);
  EXPECT_EQ(parse_iso8601_end("2021-01-01", "--to"), 1609459200 + 86399);
  EXPECT_EQ(parse_iso8601_end("2021-01-01T10:00Z", "--to"), 1609495200);
}

TEST(CivilTime, RejectsMalformedIsoTextNamingTheOption) {
  for (const char* bad : {"2021-13", "2021-1", "21", "2021-01-01T10:00+25:00", "2021-01-01T10:00Q",
                          "2021-01-01T10:00:00.", "2021-01-01T10", "2021/01/01", ""}) {
    try {
      parse_iso8601_end(bad, "--to");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--to"), std::string::npos) << bad;
      EXPECT_EQ(e.kind(), ErrorKind::kBadRequest) << bad;
    }
  }
}

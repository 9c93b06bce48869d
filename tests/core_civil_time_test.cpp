#include <gtest/gtest.h>

#include "core/civil_time.h"
#include "core/error.h"

using namespace pixeldrill;

TEST(CivilTime, FormatsImosFileStamp) {
  // 2025-01-01 15:20 UTC is 1388589600 s after 1981-01-01 in the real file.
  const int64_t epoch_1981 = days_from_civil({1981, 1, 1}) * 86400;
  EXPECT_EQ(format_iso8601(epoch_1981 + 1388589600), "2025-01-01T15:20:00Z");
  EXPECT_EQ(format_yyyymmdd(epoch_1981 + 1388589600), "20250101");
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

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

// Climatology and marine heatwaves (src/analysis/) against an independent
// numpy reference (tests/python/mhw_reference.py) on a synthetic daily series
// with planted events, and the planted events themselves.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../drill/drill_test_util.h"
#include "analysis/climatology.h"
#include "analysis/marine_heatwaves.h"
#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::analysis {
namespace {

using testing::run;
using testing::TempDir;

int64_t day(int y, int m, int d) { return days_from_civil({y, m, d}); }

std::string iso_day(int64_t d) { return format_iso8601(d * 86400).substr(0, 10); }

// 2017-2020 (2020 a leap year): seasonal cycle + deterministic noise in
// [-0.3, 0.3], every 13th day missing; events planted in 2020, outside the
// 2017-2019 base so they do not move the threshold.
DailySeries planted_series() {
  DailySeries s;
  s.first_day = day(2017, 1, 1);
  const int64_t last = day(2020, 12, 31);
  uint64_t state = 12345;
  for (int64_t d = s.first_day; d <= last; ++d) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = (static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5) * 0.6;
    const double season = 20 + 3 * std::sin(2 * M_PI * static_cast<double>(d) / 365.25);
    s.values.push_back((d - s.first_day) % 13 == 7 ? NAN : season + noise);
  }
  auto plant = [&](int64_t from, int64_t to, double add) {
    for (int64_t d = from - 1; d <= to + 1; ++d) {
      double& v = s.values[static_cast<size_t>(d - s.first_day)];
      const double season = 20 + 3 * std::sin(2 * M_PI * static_cast<double>(d) / 365.25);
      // Planted days are never missing; the day either side is cool, so
      // noise does not lengthen an event.
      v = season + (d < from || d > to ? -0.3 : add);
    }
  };
  plant(day(2020, 2, 25), day(2020, 3, 3), 1.0);  // across 29 February
  plant(day(2020, 5, 1), day(2020, 5, 6), 2.0);   // two runs 2 days apart: joined
  plant(day(2020, 5, 9), day(2020, 5, 14), 0.6);
  plant(day(2020, 7, 1), day(2020, 7, 4), 3.0);  // 4 days: too short
  plant(day(2020, 9, 1), day(2020, 9, 5), 1.5);  // two runs 3 days apart: separate
  plant(day(2020, 9, 9), day(2020, 9, 13), 1.5);
  plant(day(2020, 11, 1), day(2020, 11, 8), 1.2);  // split by a missing day
  s.values[static_cast<size_t>(day(2020, 11, 4) - s.first_day)] = NAN;
  return s;
}

nlohmann::json reference(const DailySeries& s, int gap, const TempDir& tmp) {
  const std::string csv = tmp.str("series.csv");
  std::ofstream out(csv);
  for (size_t i = 0; i < s.values.size(); ++i) {
    out << iso_day(s.first_day + static_cast<int64_t>(i)) << ",";
    if (!std::isnan(s.values[i])) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", s.values[i]);
      out << buf;
    }
    out << "\n";
  }
  out.close();
  const auto r = run(testing::python() + " " + testing::python_script("mhw_reference.py") + " " +
                     csv + " 2017 2019 " + std::to_string(gap));
  EXPECT_EQ(r.status, 0);
  return nlohmann::json::parse(r.out);
}

void expect_matches_reference(const DailySeries& s, int gap, const TempDir& tmp,
                              std::vector<HeatwaveEvent>* events_out) {
  const nlohmann::json ref = reference(s, gap, tmp);
  const DailySeries used = gap > 0 ? gapfill(s, gap) : s;
  const Climatology clim = compute_climatology(used, {2017, 2019});
  for (size_t i = 0; i < 366; ++i) {
    ASSERT_NEAR(clim.seas[i], ref["seas"][i].get<double>(), 1e-9) << "seas day " << i + 1;
    ASSERT_NEAR(clim.thresh[i], ref["thresh"][i].get<double>(), 1e-9) << "thresh day " << i + 1;
  }
  const auto events = detect_heatwaves(used, clim);
  ASSERT_EQ(events.size(), ref["events"].size());
  for (size_t e = 0; e < events.size(); ++e) {
    const auto& r = ref["events"][e];
    EXPECT_EQ(iso_day(events[e].start_day), r["start"]);
    EXPECT_EQ(iso_day(events[e].end_day), r["end"]);
    EXPECT_EQ(iso_day(events[e].peak_day), r["peak"]);
    EXPECT_EQ(events[e].duration, r["duration"].get<int>());
    EXPECT_EQ(events[e].category, r["category"].get<int>());
    EXPECT_NEAR(events[e].intensity_max, r["intensity_max"].get<double>(), 1e-9);
    EXPECT_NEAR(events[e].intensity_mean, r["intensity_mean"].get<double>(), 1e-9);
    EXPECT_NEAR(events[e].intensity_cumulative, r["intensity_cumulative"].get<double>(), 1e-8);
  }
  *events_out = events;
}

TEST(AnalysisHeatwaves, PlantedEventsMatchNumpyReference) {
  TempDir tmp;
  std::vector<HeatwaveEvent> events;
  expect_matches_reference(planted_series(), 0, tmp, &events);
  // Exactly the planted events: the 4-day one is too short, the 3-day gap is
  // not joined, and the event split by a missing day leaves two short runs.
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& e : events) got.emplace_back(iso_day(e.start_day), iso_day(e.end_day));
  const std::vector<std::pair<std::string, std::string>> want = {{"2020-02-25", "2020-03-03"},
                                                                 {"2020-05-01", "2020-05-14"},
                                                                 {"2020-09-01", "2020-09-05"},
                                                                 {"2020-09-09", "2020-09-13"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(events[1].duration, 14);
  EXPECT_EQ(iso_day(events[1].peak_day).substr(0, 8), "2020-05-");
}

TEST(AnalysisHeatwaves, GapfillBridgesAMissingDayLikeTheReference) {
  TempDir tmp;
  std::vector<HeatwaveEvent> events;
  expect_matches_reference(planted_series(), 2, tmp, &events);
  bool found = false;
  for (const auto& e : events) {
    if (iso_day(e.start_day) == "2020-11-01") {
      found = true;
      EXPECT_EQ(iso_day(e.end_day), "2020-11-08");
    }
  }
  EXPECT_TRUE(found) << "gapfill 2 should bridge the missing 2020-11-04";
}

TEST(AnalysisClimatology, DayOfLeapYear) {
  EXPECT_EQ(day_of_leap_year(day(2019, 2, 28)), 59);
  EXPECT_EQ(day_of_leap_year(day(2019, 3, 1)), 61);
  EXPECT_EQ(day_of_leap_year(day(2020, 2, 29)), 60);
  EXPECT_EQ(day_of_leap_year(day(2020, 3, 1)), 61);
  EXPECT_EQ(day_of_leap_year(day(2019, 12, 31)), 366);
  EXPECT_EQ(day_of_leap_year(day(2000, 12, 31)), 366);
  EXPECT_EQ(day_of_leap_year(day(1900, 3, 1)), 61);  // 1900 is not a leap year
}

TEST(AnalysisClimatology, PercentileIsNumpysLinear) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(percentile_linear(v, 90), 3.7);
  std::vector<double> one = {5};
  EXPECT_DOUBLE_EQ(percentile_linear(one, 90), 5);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(percentile_linear(none, 90)));
}

TEST(AnalysisClimatology, GapfillOnlyShortRuns) {
  DailySeries s{0, {1, NAN, NAN, 4, NAN, NAN, NAN, 8, NAN}};
  const DailySeries f = gapfill(s, 2);
  EXPECT_DOUBLE_EQ(f.values[1], 2);
  EXPECT_DOUBLE_EQ(f.values[2], 3);
  EXPECT_TRUE(std::isnan(f.values[4]));  // a run of 3 stays missing
  EXPECT_DOUBLE_EQ(f.values[8], 8);      // an end run takes the nearest value
}

TEST(AnalysisClimatology, EmptyBaseIsABadRequest) {
  DailySeries s{day(2020, 1, 1), std::vector<double>(366, 20.0)};
  try {
    compute_climatology(s, {1993, 2000});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadRequest);
    EXPECT_NE(std::string(e.what()).find("1993-2000"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pixeldrill::analysis

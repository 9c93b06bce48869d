// `pixeldrill drill --aggregate/--climatology/--mhw` end to end on a 3-year
// synthetic collection, against xarray (aggregates) and the independent numpy
// reference (climatology, heatwaves) on the same drilled values.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "../drill/drill_test_util.h"
#include "../support/test_cache.h"
#include "core/civil_time.h"

namespace pixeldrill::analysis {
namespace {

using testing::lines;
using testing::pixeldrill_bin;
using testing::run;
using testing::TempDir;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

double number(const std::string& s) { return s.empty() ? NAN : std::stod(s); }

class AnalysisCli : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    // Three years at 1/100 resolution, made once per build tree (test_cache.h).
    data_ = testing::cached_test_data("analysis-3y", [](const std::string& dir) {
      return run(pixeldrill_bin() + " synth " + dir + "/coll" +
                 " --from 2019-01-01 --to 2021-12-31 --decimate 100 --seed 7 --threads 2 -q"
                 " --vars sea_surface_temperature,quality_level")
                     .status == 0 &&
             // Most tests drill the index (quicker on a busy machine); one
             // checks the folder gives the same.
             run(pixeldrill_bin() + " index " + dir + "/coll -o " + dir + "/coll.pdx 2>&1")
                     .status == 0;
    });
    ASSERT_FALSE(data_.empty());
    std::ofstream(tmp_->str("stations.csv")) << "id,lat,lon\nA,-32,115\nB,-40,150\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static std::string coll() { return data_ + "/coll"; }
  static std::string index() { return data_ + "/coll.pdx"; }
  static std::string stations() { return tmp_->str("stations.csv"); }
  static testing::CommandResult drill(const std::string& source, const std::string& args) {
    return run(pixeldrill_bin() + " drill " + source + " " + args + " 2>&1");
  }
  static inline TempDir* tmp_ = nullptr;
  static inline std::string data_;
};

TEST_F(AnalysisCli, AggregatesMatchXarrayForEveryPeriod) {
  const std::string raw = tmp_->str("raw.nc");
  const std::string where = "--stations " + stations() + " --min-quality 3";
  ASSERT_EQ(drill(index(), where + " --format netcdf -o " + raw).status, 0);
  const auto ref = run(testing::python() + " " + testing::python_script("aggregate_xarray.py") +
                       " " + raw + " sea_surface_temperature day week month season year");
  ASSERT_EQ(ref.status, 0);
  std::map<std::string, std::vector<std::string>> ref_lines;  // by period kind
  for (const auto& line : lines(ref.out)) {
    const size_t comma = line.find(',');
    ref_lines[line.substr(0, comma)].push_back(line.substr(comma + 1));
  }
  for (const std::string period : {"day", "week", "month", "season", "year"}) {
    SCOPED_TRACE(period);
    const auto ours = drill(
        index(), where + " --precision full --var sea_surface_temperature --aggregate " + period);
    ASSERT_EQ(ours.status, 0) << ours.out;
    // Ours: time,period,site,lat,lon,mean,min,max,std,count; rows by (time, site).
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> got;
    const auto our_lines = lines(ours.out);
    ASSERT_EQ(our_lines[0],
              "time,period,site,lat,lon,sea_surface_temperature_mean,sea_surface_temperature_min,"
              "sea_surface_temperature_max,sea_surface_temperature_std,"
              "sea_surface_temperature_count");
    for (size_t i = 1; i < our_lines.size(); ++i) {
      const auto f = split(our_lines[i]);
      got[{f[0], f[2] == "A" ? "0" : "1"}] = {f.begin() + 5, f.end()};
    }
    ASSERT_EQ(ref_lines[period].size(), got.size());
    size_t valid = 0;
    for (const auto& line : ref_lines[period]) {
      const auto f = split(line);
      const auto it = got.find({f[0], f[1]});
      ASSERT_NE(it, got.end()) << "xarray period " << f[0] << " missing from ours";
      for (size_t s = 0; s < 5; ++s) {
        const double want = number(f[2 + s]), have = number(it->second[s]);
        if (std::isnan(want)) {
          EXPECT_TRUE(std::isnan(have)) << f[0] << " stat " << s;
        } else {
          EXPECT_NEAR(have, want, 1e-9 * std::max(1.0, std::fabs(want))) << f[0] << " stat " << s;
        }
      }
      valid += number(f[6]) > 0;
    }
    EXPECT_GT(valid, 0u);
  }
}

TEST_F(AnalysisCli, SeasonsAndWeeksAreLabelledInIso8601) {
  const auto r = drill(index(),
                       "--point -32,115 --var sea_surface_temperature --aggregate season"
                       " --stats count --from 2020-01-01 --to 2020-12-31");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto l = lines(r.out);
  ASSERT_EQ(l.size(), 6u) << r.out;  // header, DJF 2019/20, MAM, JJA, SON, DJF 2020/21
  EXPECT_EQ(l[1].substr(0, 37), "2019-12-01T00:00:00Z,2019-12/2020-02,");
  EXPECT_EQ(l[5].substr(0, 37), "2020-12-01T00:00:00Z,2020-12/2021-02,");
  const auto w = drill(index(),
                       "--point -32,115 --var sea_surface_temperature --aggregate week"
                       " --stats count --from 2021-01-01 --to 2021-01-04");
  const auto wl = lines(w.out);
  ASSERT_EQ(wl.size(), 3u) << w.out;
  EXPECT_EQ(wl[1].substr(0, 29), "2020-12-28T00:00:00Z,2020-W53");  // 1 Jan 2021 is in 2020-W53
  EXPECT_EQ(wl[2].substr(0, 29), "2021-01-04T00:00:00Z,2021-W01");
}

TEST_F(AnalysisCli, AggregateNetcdfHasCellMethodsAndTimeBounds) {
  const std::string nc = tmp_->str("monthly.nc");
  ASSERT_EQ(drill(index(),
                  "--point -32,115 --var sea_surface_temperature --aggregate month"
                  " --stats mean,count --from 2020-01-01 --to 2020-03-31 -o " +
                      nc)
                .status,
            0);
  const auto r = run("ncdump -v time_bnds " + nc);
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("sea_surface_temperature_mean:cell_methods = \"time: mean\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("time:bounds = \"time_bnds\""), std::string::npos);
  EXPECT_NE(r.out.find("number_of_observations"), std::string::npos);
  // 2020-01-01, -02-01, -03-01, -04-01 in Unix seconds.
  EXPECT_NE(
      r.out.find("1577836800, 1580515200,\n  1580515200, 1583020800,\n  1583020800, 1585699200"),
      std::string::npos)
      << r.out;
}

TEST_F(AnalysisCli, AggregateIsTheSameOnTheIndex) {
  const std::string args = "--stations " + stations() + " --aggregate month --min-quality 2";
  const auto folder = drill(coll(), args);
  const auto indexed = drill(index(), args);
  ASSERT_EQ(folder.status, 0);
  EXPECT_EQ(folder.out, indexed.out);
}

TEST_F(AnalysisCli, ClimatologyAndHeatwavesMatchNumpyReference) {
  const std::string point = "--point -32,115 --celsius --var sea_surface_temperature";
  const auto raw = drill(index(), point + " --precision full");
  ASSERT_EQ(raw.status, 0);
  // The raw series as consecutive days for the reference.
  std::map<int64_t, std::string> by_day;
  for (const auto& line : lines(raw.out)) {
    const auto f = split(line);
    if (f[0] == "time") continue;
    by_day[parse_iso8601(f[0], "time") / 86400] = f[4];
  }
  const std::string csv = tmp_->str("daily.csv");
  {
    std::ofstream out(csv);
    for (int64_t d = by_day.begin()->first; d <= by_day.rbegin()->first; ++d) {
      out << format_iso8601(d * 86400).substr(0, 10) << "," << (by_day.count(d) ? by_day[d] : "")
          << "\n";
    }
  }
  const auto ref_out = run(testing::python() + " " + testing::python_script("mhw_reference.py") +
                           " " + csv + " 2019 2020 2");
  ASSERT_EQ(ref_out.status, 0);
  const auto ref = nlohmann::json::parse(ref_out.out);

  const auto events =
      drill(index(), point + " --climatology 2019-2020 --mhw --gapfill 2 --format json");
  ASSERT_EQ(events.status, 0) << events.out;
  const auto ours = nlohmann::json::parse(events.out)["sites"][0]["events"];
  ASSERT_EQ(ours.size(), ref["events"].size());
  ASSERT_GT(ours.size(), 0u);
  for (size_t e = 0; e < ours.size(); ++e) {
    EXPECT_EQ(ours[e]["start"], ref["events"][e]["start"]);
    EXPECT_EQ(ours[e]["end"], ref["events"][e]["end"]);
    EXPECT_EQ(ours[e]["peak"], ref["events"][e]["peak"]);
    EXPECT_EQ(ours[e]["category"], ref["events"][e]["category"]);
    EXPECT_NEAR(ours[e]["intensity_mean"].get<double>(),
                ref["events"][e]["intensity_mean"].get<double>(), 1e-9);
  }

  // Anomaly rows: clim/thresh of the row's day of year (with the same gapfill).
  const auto series = drill(
      index(), point + " --precision full --climatology 2019-2020 --gapfill 2 --from 2021-06-01");
  ASSERT_EQ(series.status, 0);
  const auto rows = lines(series.out);
  ASSERT_EQ(rows[0],
            "time,site,lat,lon,sea_surface_temperature,sea_surface_temperature_clim,"
            "sea_surface_temperature_thresh,sea_surface_temperature_anomaly");
  ASSERT_GT(rows.size(), 150u);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i]);
    const CivilDate d = civil_from_days(parse_iso8601(f[0], "time") / 86400);
    EXPECT_EQ(d.year, 2021);
    const int doy = static_cast<int>(parse_iso8601(f[0].substr(0, 10), "t") / 86400 -
                                     days_from_civil({2021, 1, 1})) +
                    (d.month > 2 ? 2 : 1);
    EXPECT_NEAR(number(f[5]), ref["seas"][doy - 1].get<double>(), 1e-9) << f[0];
    EXPECT_NEAR(number(f[6]), ref["thresh"][doy - 1].get<double>(), 1e-9) << f[0];
    if (!f[4].empty()) {
      EXPECT_NEAR(number(f[7]), number(f[4]) - number(f[5]), 1e-12);
    }
  }
}

TEST_F(AnalysisCli, ClimatologyPlotIsAPng) {
  if (run("command -v gnuplot >/dev/null").status != 0) GTEST_SKIP() << "gnuplot not installed";
  const std::string png = tmp_->str("clim.png");
  const auto r =
      drill(index(), "--point -32,115 --climatology 2019-2020 --mhw --gapfill 2 --plot " + png);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(testing::read_text(png).substr(0, 8), "\x89PNG\r\n\x1a\n");
}

TEST_F(AnalysisCli, BadAnalysisRequestsExitWithUsage) {
  EXPECT_EQ(drill(index(), "--point -32,115 --mhw").status, 2);
  EXPECT_EQ(drill(index(), "--point -32,115 --climatology 2019").status, 2);
  const auto empty = drill(index(), "--point -32,115 --climatology 1995-1996");
  EXPECT_EQ(empty.status, 2);
  EXPECT_NE(empty.out.find("1995-1996"), std::string::npos) << empty.out;
  EXPECT_EQ(drill(index(), "--point -32,115 --aggregate month --stats median").status, 2);
}

}  // namespace
}  // namespace pixeldrill::analysis

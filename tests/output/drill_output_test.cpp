// The four outputs of `pixeldrill drill`: CSV, JSON, CF NetCDF and PNG.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;

namespace {

class DrillOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(make_era_collection(dir_ / "coll"));
    std::ofstream s(dir_ / "stations.csv");
    s << "# moorings\nid,lat,lon\nNRSROT,-32.0,115.4\nSOTS,-47,142\nKIM,-60.1,170.2\n";
  }
  CommandResult drill(const std::string& args) {
    return run(pixeldrill_bin() + " drill " + (dir_ / "coll") + " " + args);
  }
  TempDir dir_;
};

}  // namespace

TEST_F(DrillOutput, CsvIsTidyWithIsoTimesSitesCentresAndEmptyMissing) {
  const auto r =
      drill("--stations " + (dir_ / "stations.csv") + " --from 2016-01-01 --to 2019-12-30");
  ASSERT_EQ(r.status, 0);
  const auto t = parse_csv(r.out);
  ASSERT_EQ(t.size(), 1u + 3 * 3);  // 3 days x 3 stations
  EXPECT_EQ(t[0], (std::vector<std::string>{"time", "site", "lat", "lon", "sea_surface_temperature",
                                            "quality_level"}));
  EXPECT_EQ(t[1][0], "2016-01-01T15:20:00Z");
  EXPECT_EQ(t[1][1], "NRSROT");
  EXPECT_EQ(t[2][1], "SOTS");
  EXPECT_EQ(t[9][0], "2019-12-30T15:20:00Z");
  EXPECT_EQ(t[9][1], "KIM");
  // Decimated 50x: centres every 1 degree at x.5.
  EXPECT_EQ(t[1][2], "-31.5");
  EXPECT_EQ(t[1][3], "115.5");
  size_t missing = 0, present = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    ASSERT_EQ(t[i].size(), 6u);
    // SST and quality are missing together, and SST is a plausible kelvin value.
    EXPECT_EQ(t[i][4].empty(), t[i][5].empty());
    if (t[i][4].empty()) {
      ++missing;
    } else {
      ++present;
      EXPECT_GT(std::stod(t[i][4]), 260.0);
      EXPECT_LT(std::stod(t[i][4]), 310.0);
    }
  }
  EXPECT_GT(present, 0u);
  // The land pixel off Rottnest at this resolution is never valid.
  EXPECT_EQ(t[1][4], "");
}

TEST_F(DrillOutput, JsonCarriesColumnsUnitsRowsAndNullForMissing) {
  const auto csv = drill("--point -45.3,140.77 --celsius");
  const auto r = drill("--point -45.3,140.77 --celsius --format json");
  ASSERT_EQ(r.status, 0);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["source"], "netcdf");
  EXPECT_EQ(doc["partial"], false);
  ASSERT_EQ(doc["columns"].size(), 2u);
  EXPECT_EQ(doc["columns"][0]["name"], "sea_surface_temperature");
  EXPECT_EQ(doc["columns"][0]["units"], "degree_Celsius");
  const auto t = parse_csv(csv.out);
  ASSERT_EQ(doc["data"].size(), t.size() - 1);
  for (size_t i = 0; i < doc["data"].size(); ++i) {
    const auto& row = doc["data"][i];
    EXPECT_EQ(row["time"], t[i + 1][0]);
    EXPECT_EQ(row["lat"].get<double>(), std::stod(t[i + 1][2]));
    if (t[i + 1][4].empty()) {
      EXPECT_TRUE(row["sea_surface_temperature"].is_null());
    } else {
      EXPECT_EQ(row["sea_surface_temperature"].get<double>(), std::stod(t[i + 1][4]));
    }
  }
}

TEST_F(DrillOutput, NetcdfTimeSeriesReadsBackEqualWithNcdumpAndXarray) {
  const std::string nc = dir_ / "out.nc";
  const auto csv = drill("--stations " + (dir_ / "stations.csv") + " --precision full" +
                         " --var sea_surface_temperature,quality_level,sea_ice_fraction");
  ASSERT_EQ(csv.status, 0);
  ASSERT_EQ(
      drill("--stations " + (dir_ / "stations.csv") +
            " --var sea_surface_temperature,quality_level,sea_ice_fraction --format netcdf -o " +
            nc)
          .status,
      0);
  const auto header = run("ncdump -h " + nc);
  ASSERT_EQ(header.status, 0);
  EXPECT_NE(header.out.find(":featureType = \"timeSeries\""), std::string::npos) << header.out;
  EXPECT_NE(header.out.find("station = 3"), std::string::npos);
  EXPECT_NE(header.out.find("time = 8"), std::string::npos);
  EXPECT_NE(header.out.find("double sea_surface_temperature(station, time)"), std::string::npos);
  EXPECT_NE(header.out.find("station_id:cf_role = \"timeseries_id\""), std::string::npos);
  const auto ids = run("ncdump -v station_id " + nc);
  EXPECT_NE(ids.out.find("\"NRSROT\", \"SOTS\", \"KIM\""), std::string::npos) << ids.out;

  const auto back = run(python() + " " + python_script("drill_read_netcdf.py") + " " + nc);
  ASSERT_EQ(back.status, 0);
  const auto a = parse_csv(csv.out), b = parse_csv(back.out);
  ASSERT_EQ(a.size(), b.size());
  size_t values = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (size_t j = 0; j < a[i].size(); ++j) {
      if (i == 0 || j < 2 || a[i][j].empty() || b[i][j].empty()) {
        EXPECT_EQ(a[i][j], b[i][j]) << i << "," << j;
      } else {
        EXPECT_EQ(std::stod(a[i][j]), std::stod(b[i][j])) << i << "," << j;
        ++values;
      }
    }
  }
  EXPECT_GT(values, 48u);
}

TEST_F(DrillOutput, PlotWritesAPng) {
  const std::string png = dir_ / "series.png";
  const auto r =
      drill("--stations " + (dir_ / "stations.csv") + " --plot " + png + " -o " + (dir_ / "s.csv"));
  ASSERT_EQ(r.status, 0);
  const std::string bytes = read_text(png);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(parse_csv(read_text(dir_ / "s.csv")).size(), 25u);
  // No temporary files left beside the outputs.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_.path())) ++entries;
  EXPECT_EQ(entries, 4u);  // coll, stations.csv, series.png, s.csv
}

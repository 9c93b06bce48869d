// `pixeldrill drill` on a synthetic collection spanning eras, checked value
// by value against xarray (tests/python/drill_xarray.py, open_mfdataset +
// sel(method="nearest")).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "drill_test_util.h"

using namespace pixeldrill::testing;

namespace {

class DrillVsXarray : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(make_era_collection(dir_ / "coll"));
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "coll")) {
      if (e.path().extension() == ".nc") files.push_back(e.path().string());
    }
    ASSERT_EQ(files.size(), 8u);
    std::ofstream list(dir_ / "files.txt");
    for (const auto& f : files) list << f << "\n";
  }

  std::string drill(const std::string& args) {
    // Full precision: values are compared with xarray's doubles to the last bit.
    const auto r =
        run(pixeldrill_bin() + " drill " + (dir_ / "coll") + " --precision full " + args);
    EXPECT_EQ(r.status, 0) << args;
    return r.out;
  }
  std::string xarray(const std::string& args) {
    const auto r = run(python() + " " + python_script("drill_xarray.py") + " " +
                       (dir_ / "files.txt") + " " + args);
    EXPECT_EQ(r.status, 0) << args;
    return r.out;
  }

  // Same rows, same times/sites/coordinates, values equal within rel_tol
  // (0 = exactly); returns how many non-missing values were compared.
  static size_t expect_same(const std::string& ours, const std::string& theirs,
                            double rel_tol = 0) {
    const CsvTable a = parse_csv(ours), b = parse_csv(theirs);
    EXPECT_EQ(a.size(), b.size());
    EXPECT_FALSE(a.empty());
    if (a.size() != b.size() || a.empty()) return 0;
    EXPECT_EQ(a[0], b[0]);
    size_t compared = 0;
    for (size_t i = 1; i < a.size(); ++i) {
      EXPECT_EQ(a[i].size(), b[i].size()) << "row " << i;
      if (a[i].size() != b[i].size()) continue;
      EXPECT_EQ(a[i][0], b[i][0]) << "time, row " << i;
      EXPECT_EQ(a[i][1], b[i][1]) << "site, row " << i;
      for (size_t j = 2; j < a[i].size(); ++j) {
        EXPECT_EQ(a[i][j].empty(), b[i][j].empty()) << "row " << i << " column " << a[0][j] << ": '"
                                                    << a[i][j] << "' vs '" << b[i][j] << "'";
        if (a[i][j].empty() || b[i][j].empty()) continue;
        const double x = std::stod(a[i][j]), y = std::stod(b[i][j]);
        if (rel_tol == 0 || j < 4) {
          EXPECT_EQ(x, y) << "row " << i << " column " << a[0][j];
        } else {
          EXPECT_NEAR(x, y, rel_tol * std::fabs(y)) << "row " << i << " column " << a[0][j];
        }
        if (j >= 4) ++compared;
      }
    }
    return compared;
  }

  TempDir dir_;
};

const char* kVars =
    "sea_surface_temperature,quality_level,sst_dtime,sses_bias,sea_ice_fraction,l2p_flags";

}  // namespace

TEST_F(DrillVsXarray, PointsEqualXarrayAcrossErasIncludingMissingVariables) {
  for (const char* pt : {"-40,100", "-45.3,140.77", "-60.1,170.2", "10,80"}) {
    const std::string p(pt);
    const std::string ours = drill("--point " + p + " --var " + kVars);
    const std::string theirs =
        xarray(std::string(kVars) + " --points 'point:" + p.substr(0, p.find(',')) + ":" +
               p.substr(p.find(',') + 1) + "'");
    EXPECT_EQ(parse_csv(ours).size(), 9u) << p;
    expect_same(ours, theirs);
  }
  // Valid SST somewhere, and sea ice absent (empty) in the 2020 era.
  const std::string ours =
      drill("--point -60.1,170.2 --var sea_surface_temperature,sea_ice_fraction");
  const auto t = parse_csv(ours);
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[8][0], "2020-01-02T15:20:00Z");
  EXPECT_EQ(t[8][5], "");
}

TEST_F(DrillVsXarray, StationsWithQualityMaskAndCelsiusEqualXarray) {
  {
    std::ofstream s(dir_ / "stations.csv");
    s << "id,lat,lon\nA,-40,100\nB,-45.3,140.77\nC,-60.1,170.2\nD,-20.5,110.25\n";
  }
  const std::string ours =
      drill("--stations " + (dir_ / "stations.csv") +
            " --var sea_surface_temperature,sses_bias --min-quality 4 --celsius");
  const std::string theirs = xarray(
      "sea_surface_temperature,sses_bias --points "
      "'A:-40:100;B:-45.3:140.77;C:-60.1:170.2;D:-20.5:110.25' "
      "--min-quality 4 --celsius");
  EXPECT_EQ(parse_csv(ours).size(), 1u + 8 * 4);
  EXPECT_GT(expect_same(ours, theirs), 0u);
  // Celsius applies to the SST only, not to the kelvin difference sses_bias.
  for (const auto& row : parse_csv(ours)) {
    if (row[0] == "time" || row[4].empty()) continue;
    EXPECT_LT(std::stod(row[4]), 40.0);
  }
}

TEST_F(DrillVsXarray, BoxPixelsEqualXarray) {
  const std::string ours =
      drill("--box -45,-40,140,146 --var sea_surface_temperature,quality_level");
  const std::string theirs = xarray("sea_surface_temperature,quality_level --box=-45,-40,140,146");
  EXPECT_GT(expect_same(ours, theirs), 50u);
}

TEST_F(DrillVsXarray, BoxReductionsEqualNumpyOverValidPixels) {
  for (const char* r : {"mean", "min", "max", "count"}) {
    // quality_level is categorical (flag_values): a mean gives counts per
    // level, never a mean of categories; l2p_flags (flag_masks) counts per bit.
    const std::string vars = " sea_surface_temperature,quality_level,l2p_flags";
    const std::string ours =
        drill(std::string("--box -50,-30,100,150 --reduce ") + r + " --var" + vars);
    const std::string theirs = xarray(vars + " --box=-50,-30,100,150 --reduce " + r);
    EXPECT_EQ(parse_csv(ours).size(), 9u) << r;
    const auto header = parse_csv(ours).front();
    const auto has = [&](const std::string& c) {
      return std::find(header.begin(), header.end(), c) != header.end();
    };
    if (std::string(r) == "mean") {
      EXPECT_TRUE(has("sea_surface_temperature") && has("sea_surface_temperature_count"));
      EXPECT_FALSE(has("quality_level")) << ours.substr(0, ours.find('\n'));
      EXPECT_TRUE(has("quality_level_count") && has("quality_level_count_5"));
      EXPECT_TRUE(has("l2p_flags_count_swath") && !has("l2p_flags"));
    }
    // Summation order differs from numpy's pairwise sum only in the last bits.
    EXPECT_GT(expect_same(ours, theirs, std::string(r) == "mean" ? 1e-12 : 0), 8u) << r;
  }
}

TEST_F(DrillVsXarray, XarrayDefaultDecodingAgreesToFloat32Precision) {
  // xarray decodes masked shorts in float32; pixeldrill decodes in double.
  const std::string ours = drill("--point -45.3,140.77 --var sea_surface_temperature,sses_bias");
  const std::string theirs =
      xarray("sea_surface_temperature,sses_bias --points 'point:-45.3:140.77' --xarray-decoding");
  EXPECT_GT(expect_same(ours, theirs, 2e-7), 0u);
}

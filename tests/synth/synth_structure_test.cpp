// Synthetic day files checked against the real product's spec through
// netCDF-C and ncdump: types, fills, attributes, packing, chunking, filters,
// eras, and the physical plausibility of the decoded values.
#include <gtest/gtest.h>
#include <netcdf.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "synth/land_mask.h"
#include "synth/synth_grid.h"
#include "synth_test_util.h"

namespace pixeldrill::synth {
namespace {

using testing::day_file;
using testing::NcFile;
using testing::run;
using testing::synth_cmd;
using testing::TempDir;

const std::vector<std::string> kAllVars = {"sea_surface_temperature",
                                           "sst_dtime",
                                           "dt_analysis",
                                           "wind_speed",
                                           "wind_speed_dtime_from_sst",
                                           "sea_ice_fraction",
                                           "sea_ice_fraction_dtime_from_sst",
                                           "satellite_zenith_angle",
                                           "l2p_flags",
                                           "quality_level",
                                           "sses_bias",
                                           "sses_standard_deviation",
                                           "sses_count"};

class SynthFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    // Spans three eras: 2015 (all variables), 2016 (other chunk layout),
    // 2019 -> 2020 (sea ice variables dropped).
    for (const char* range :
         {"--from 2015-12-31 --to 2016-01-01", "--from 2019-12-31 --to 2020-01-01"}) {
      const auto r =
          run(synth_cmd(root(), std::string(range) + " --decimate 50 --no-gaps --seed 7"));
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::string root() { return *dir_ / "coll"; }
  static std::string file(const std::string& ymd) { return day_file(root(), ymd); }
  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> SynthFiles::dir_;

TEST_F(SynthFiles, DataVariablesHaveTheRealTypesFillValuesAndPacking) {
  NcFile f(file("20191231"));
  EXPECT_EQ(f.data_vars(), kAllVars);
  const std::map<std::string, std::pair<nc_type, double>> expected = {
      {"sea_surface_temperature", {NC_SHORT, -32768}},
      {"sst_dtime", {NC_INT, -2147483647}},
      {"l2p_flags", {NC_SHORT, -32768}},
      {"quality_level", {NC_BYTE, -128}},
      {"wind_speed", {NC_BYTE, -128}},
      {"sses_count", {NC_BYTE, -128}}};
  for (const auto& [name, tf] : expected) {
    EXPECT_EQ(f.type(name), tf.first) << name;
    nc_type att_type;
    EXPECT_EQ(f.num_att(name, "_FillValue", &att_type), std::vector<double>{tf.second}) << name;
    EXPECT_EQ(att_type, tf.first) << name;
    EXPECT_EQ(f.text_att(name, "coordinates"), "time lat lon") << name;
  }
  for (const auto& name : kAllVars) {
    if (name == "l2p_flags" || name == "quality_level") {
      EXPECT_FALSE(nc_inq_att(f.id(), f.var(name), "scale_factor", nullptr, nullptr) == NC_NOERR);
      continue;
    }
    nc_type t;
    EXPECT_EQ(f.num_att(name, "scale_factor", &t).size(), 1u) << name;
    EXPECT_EQ(t, NC_DOUBLE) << name;
    EXPECT_EQ(f.num_att(name, "add_offset", &t).size(), 1u) << name;
    EXPECT_EQ(t, NC_DOUBLE) << name;
  }
  EXPECT_EQ(f.num_att("sea_surface_temperature", "scale_factor")[0], static_cast<double>(0.01f));
  EXPECT_EQ(f.text_att("sea_surface_temperature", "units"), "kelvin");
  EXPECT_EQ(f.text_att("sea_surface_temperature", "standard_name"), "sea_surface_skin_temperature");
  EXPECT_EQ(f.num_att("sea_surface_temperature", "valid_min"), std::vector<double>{-32767});
  EXPECT_EQ(f.num_att("wind_speed", "valid_max"), std::vector<double>{127});
  EXPECT_EQ(f.text_att("wind_speed", "source"), "ACCESSG-ABOM-Forecast-WSP");
  EXPECT_EQ(f.text_att("l2p_flags", "flag_meanings"),
            "microwave land ice lake river reserved aerosol analysis lowwind highwind edge "
            "terminator reflector swath delta_dn");
  const auto masks = f.num_att("l2p_flags", "flag_masks");
  ASSERT_EQ(masks.size(), 15u);
  EXPECT_EQ(masks[1], 2);
  EXPECT_EQ(masks[13], 8192);
  EXPECT_EQ(f.num_att("quality_level", "flag_values"), (std::vector<double>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(f.text_att("quality_level", "flag_meanings"),
            "no_data bad_data worst_quality low_quality acceptable_quality best_quality");
}

TEST_F(SynthFiles, CoordinatesTimeAndGlobalAttributesFollowTheProduct) {
  NcFile f(file("20191231"));
  int dim;
  size_t len;
  for (auto [name, expected] :
       std::vector<std::pair<std::string, size_t>>{{"time", 1}, {"lat", 90}, {"lon", 120}}) {
    f.check(nc_inq_dimid(f.id(), name.c_str(), &dim), name);
    f.check(nc_inq_dimlen(f.id(), dim, &len), name);
    EXPECT_EQ(len, expected) << name;
  }
  int unlimited = -2;
  f.check(nc_inq_unlimdim(f.id(), &unlimited), "unlimdim");
  EXPECT_EQ(unlimited, -1) << "time must be a fixed dimension";
  EXPECT_EQ(f.type("lat"), NC_FLOAT);
  EXPECT_EQ(f.type("time"), NC_INT);
  EXPECT_EQ(f.text_att("time", "units"), "seconds since 1981-01-01 00:00:00");
  EXPECT_EQ(f.text_att("time", "calendar"), "gregorian");
  int t = 0;
  f.check(nc_get_var_int(f.id(), f.var("time"), &t), "time");
  EXPECT_EQ(t, 1230650400);  // 2019-12-31T15:20:00Z (python datetime difference)
  EXPECT_EQ(f.text_att("lat", "units"), "degrees_north");
  EXPECT_EQ(f.text_att("", "title"),
            "IMOS L3S Nighttime gridded multiple-sensor multiple-swath Australian region skin SST");
  EXPECT_EQ(f.text_att("", "start_time"), "20191231T115114Z");
  EXPECT_EQ(f.text_att("", "Conventions"), "CF-1.6");
  EXPECT_NE(f.text_att("", "pixeldrill_synthetic").find("SYNTHETIC"), std::string::npos);
}

TEST_F(SynthFiles, StorageIsDeflateLevel3WithShuffleInRealChunkShapes) {
  NcFile f(file("20191231"));
  for (const auto& name : kAllVars) {
    int shuffle = 0, deflate = 0, level = 0;
    f.check(nc_inq_var_deflate(f.id(), f.var(name), &shuffle, &deflate, &level), name);
    EXPECT_EQ(shuffle, 1) << name;
    EXPECT_EQ(deflate, 1) << name;
    EXPECT_EQ(level, 3) << name;
    // Full grid: (1,1500,2000) for short/int, (1,2250,3000) for byte; scaled to 90 x 120.
    const auto expected =
        f.type(name) == NC_BYTE ? std::vector<size_t>{1, 45, 60} : std::vector<size_t>{1, 30, 40};
    EXPECT_EQ(f.chunks(name), expected) << name;
  }
  // And the same through ncdump's special attributes.
  const auto dump = run("ncdump -hs '" + file("20191231") + "'");
  ASSERT_EQ(dump.exit_code, 0);
  EXPECT_NE(dump.output.find("sea_surface_temperature:_ChunkSizes = 1, 30, 40 ;"),
            std::string::npos);
  EXPECT_NE(dump.output.find("quality_level:_ChunkSizes = 1, 45, 60 ;"), std::string::npos);
  EXPECT_NE(dump.output.find("sea_surface_temperature:_Shuffle = \"true\" ;"), std::string::npos);
  EXPECT_NE(dump.output.find("sea_surface_temperature:_DeflateLevel = 3 ;"), std::string::npos);
  EXPECT_EQ(dump.output.find("_DeflateLevel = 4"), std::string::npos);
}

TEST_F(SynthFiles, ErasChangeTheVariableSetChunkLayoutAndTimeUnits) {
  NcFile y2015(file("20151231")), y2016(file("20160101")), y2020(file("20200101"));
  EXPECT_EQ(y2015.data_vars(), kAllVars);
  EXPECT_EQ(y2016.data_vars(), kAllVars);
  std::vector<std::string> no_ice;
  for (const auto& v : kAllVars)
    if (v.rfind("sea_ice", 0) != 0) no_ice.push_back(v);
  EXPECT_EQ(y2020.data_vars(), no_ice);
  EXPECT_EQ(y2015.chunks("sea_surface_temperature"), (std::vector<size_t>{1, 30, 40}));
  EXPECT_EQ(y2016.chunks("sea_surface_temperature"), (std::vector<size_t>{1, 23, 30}));
  EXPECT_EQ(y2016.chunks("quality_level"), (std::vector<size_t>{1, 23, 30}));
  EXPECT_EQ(y2020.text_att("time", "units"), "seconds since 1981-01-01");
  EXPECT_EQ(y2015.text_att("time", "units"), "seconds since 1981-01-01 00:00:00");
}

TEST_F(SynthFiles, PackingDiffersFromFileToFile) {
  NcFile a(file("20191231")), b(file("20200101"));
  for (const char* name : {"sea_surface_temperature", "wind_speed", "sst_dtime", "sses_bias"}) {
    EXPECT_NE(a.num_att(name, "add_offset")[0], b.num_att(name, "add_offset")[0]) << name;
  }
  EXPECT_NE(a.num_att("wind_speed", "scale_factor")[0], b.num_att("wind_speed", "scale_factor")[0]);
}

// The files' grid is --decimate 50; land comes from the generator's own mask
// because the files, like the real product, hold only fills there.
const std::vector<uint8_t>& land_mask() {
  static const auto mask = pixeldrill::synth::make_land_mask(pixeldrill::synth::make_grid(50));
  return mask;
}

struct Decoded {
  std::vector<double> sst;  // NaN where fill
  std::vector<double> quality, flags;
};

Decoded decode(const NcFile& f) {
  Decoded d;
  const double scale = f.num_att("sea_surface_temperature", "scale_factor")[0];
  const double offset = f.num_att("sea_surface_temperature", "add_offset")[0];
  d.sst = f.raw("sea_surface_temperature");
  for (double& v : d.sst) v = v == -32768 ? NAN : v * scale + offset;
  d.quality = f.raw("quality_level");
  d.flags = f.raw("l2p_flags");
  return d;
}

TEST_F(SynthFiles, DecodedSstIsPhysicalAndCloudsLeave30To50PercentOfOceanValid) {
  for (const char* ymd : {"20151231", "20160101", "20191231", "20200101"}) {
    NcFile f(file(ymd));
    const Decoded d = decode(f);
    size_t ocean = 0, valid = 0;
    double lo = 1e9, hi = -1e9;
    for (size_t k = 0; k < d.sst.size(); ++k) {
      if (land_mask()[k]) continue;
      ++ocean;
      if (std::isnan(d.sst[k])) continue;
      ++valid;
      lo = std::min(lo, d.sst[k]);
      hi = std::max(hi, d.sst[k]);
    }
    const double fraction = static_cast<double>(valid) / static_cast<double>(ocean);
    EXPECT_GE(fraction, 0.30) << ymd;
    EXPECT_LE(fraction, 0.50) << ymd;
    EXPECT_GT(ocean, d.sst.size() / 2) << ymd;
    EXPECT_LT(ocean, d.sst.size() * 9 / 10) << ymd << ": there must be land";
    EXPECT_GE(lo, 271.0) << ymd;
    EXPECT_LE(hi, 305.0) << ymd;
    EXPECT_GT(hi - lo, 20.0) << ymd << ": tropics to Antarctica";
  }
}

TEST_F(SynthFiles, QualityLevelAndFlagsAgreeWithSstValidity) {
  NcFile f(file("20200101"));
  const Decoded d = decode(f);
  std::set<double> levels;
  for (size_t k = 0; k < d.sst.size(); ++k) {
    const bool land = land_mask()[k] != 0;
    if (!std::isnan(d.sst[k])) {
      ASSERT_GE(d.quality[k], 2) << k;
      ASSERT_LE(d.quality[k], 5) << k;
      ASSERT_NE(static_cast<int>(d.flags[k]) & 8192, 0) << k;
      ASSERT_EQ(static_cast<int>(d.flags[k]) & 2, 0) << k;
      levels.insert(d.quality[k]);
    } else {
      ASSERT_EQ(d.quality[k], -128) << k;
      ASSERT_EQ(d.flags[k], -32768) << k << (land ? " (land)" : " (ocean)");
    }
  }
  EXPECT_EQ(levels, (std::set<double>{2, 3, 4, 5}));
}

TEST_F(SynthFiles, AncillaryVariablesArePlausibleWhereSstIsValid) {
  NcFile f(file("20191231"));
  const Decoded d = decode(f);
  auto decoded = [&](const std::string& name) {
    std::vector<double> v = f.raw(name);
    const double scale = f.num_att(name, "scale_factor")[0];
    const double offset = f.num_att(name, "add_offset")[0];
    const double fill = f.num_att(name, "_FillValue")[0];
    for (double& x : v) x = x == fill ? NAN : x * scale + offset;
    return v;
  };
  const auto wind = decoded("wind_speed");
  const auto zenith = decoded("satellite_zenith_angle");
  const auto dtime = decoded("sst_dtime");
  for (size_t k = 0; k < d.sst.size(); ++k) {
    ASSERT_EQ(std::isnan(d.sst[k]), std::isnan(wind[k])) << k;
    if (std::isnan(d.sst[k])) continue;
    ASSERT_GE(wind[k], 0.0);
    ASSERT_LE(wind[k], 25.1);
    ASSERT_GE(zenith[k], -0.2);
    ASSERT_LE(zenith[k], 70.0);
    ASSERT_GE(dtime[k], -13000);
    ASSERT_LE(dtime[k], 2000);
  }
}

}  // namespace
}  // namespace pixeldrill::synth

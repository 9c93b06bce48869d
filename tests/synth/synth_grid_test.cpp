// The synthetic grid against the real product's coordinates.
#include "synth/synth_grid.h"

#include <gtest/gtest.h>
#include <netcdf.h>

#include <cstring>
#include <string>
#include <vector>

#include "../support/test_paths.h"
#include "core/error.h"
#include "synth/product.h"
#include "synth_test_util.h"

namespace pixeldrill::synth {
namespace {

const std::string kReal2025 =
    std::string(PIXELDRILL_FIXTURES_DIR) +
    "/20250101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.grid-only.nc";

TEST(SynthGrid, FullResolutionCoordinatesEqualTheReal2025FileBitForBit) {
  const SynthGrid g = make_grid(1);
  testing::NcFile real(kReal2025);
  std::vector<float> lat(4500), lon(6000);
  real.check(nc_get_var_float(real.id(), real.var("lat"), lat.data()), "lat");
  real.check(nc_get_var_float(real.id(), real.var("lon"), lon.data()), "lon");
  ASSERT_EQ(g.nlat, 4500u);
  ASSERT_EQ(g.nlon, 6000u);
  EXPECT_EQ(std::memcmp(g.lat.data(), lat.data(), lat.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(g.lon.data(), lon.data(), lon.size() * sizeof(float)), 0);
  EXPECT_EQ(g.lat.front(), 19.99f);
  EXPECT_EQ(g.lat.back(), -69.99f);
  EXPECT_EQ(g.lon.front(), 70.01f);
  EXPECT_EQ(g.lon.back(), 189.99f);
}

TEST(SynthGrid, DecimatedGridKeepsTheExtentWithPixelsAtCellCentres) {
  const SynthGrid g = make_grid(50);
  ASSERT_EQ(g.nlat, 90u);
  ASSERT_EQ(g.nlon, 120u);
  EXPECT_EQ(g.lat.front(), 19.5f);
  EXPECT_EQ(g.lat.back(), -69.5f);
  EXPECT_EQ(g.lon.front(), 70.5f);
  EXPECT_EQ(g.lon.back(), 189.5f);
  const SynthGrid g100 = make_grid(100);
  EXPECT_EQ(g100.nlat, 45u);
  EXPECT_EQ(g100.nlon, 60u);
  EXPECT_EQ(g100.lat.front(), 19.0f);
  EXPECT_EQ(g100.lon.back(), 189.0f);
}

TEST(SynthGrid, RejectsDecimationsThatDoNotTileTheGrid) {
  for (int bad : {0, -1, 7, 101, 150, 1500}) {
    try {
      make_grid(bad);
      FAIL() << "accepted --decimate " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--decimate"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(valid_decimations().front(), 1);
  EXPECT_EQ(valid_decimations().back(), 100);
}

}  // namespace
}  // namespace pixeldrill::synth

namespace pixeldrill::synth {
namespace {

float float_attr(const std::vector<Attr>& attrs, const std::string& name) {
  for (const Attr& a : attrs)
    if (a.name == name) return static_cast<float>(a.numbers.at(0));
  ADD_FAILURE() << "no global attribute " << name;
  return 0;
}

TEST(SynthGrid, GeospatialGlobalAttributesNameTheOutermostPixelCentres) {
  const auto full = global_attributes(20000, era_for_year(2024), 1, 1);
  EXPECT_EQ(float_attr(full, "northernmost_latitude"), 19.99f);  // as the real 2025 file
  EXPECT_EQ(float_attr(full, "southernmost_latitude"), -69.99f);
  EXPECT_EQ(float_attr(full, "westernmost_longitude"), 70.01f);
  EXPECT_EQ(float_attr(full, "easternmost_longitude"), -170.01f);
  const auto coarse = global_attributes(20000, era_for_year(2024), 1, 50);
  const SynthGrid g = make_grid(50);
  EXPECT_EQ(float_attr(coarse, "northernmost_latitude"), g.lat.front());
  EXPECT_EQ(float_attr(coarse, "southernmost_latitude"), g.lat.back());
  EXPECT_EQ(float_attr(coarse, "westernmost_longitude"), g.lon.front());
  EXPECT_EQ(float_attr(coarse, "easternmost_longitude"), g.lon.back() - 360.0f);
}

}  // namespace
}  // namespace pixeldrill::synth

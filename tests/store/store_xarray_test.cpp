// Interoperability with Debian's xarray / zarr (/usr/bin/python3): the store
// opens with xr.open_zarr and gives pixeldrill's values and decoded times;
// per-year stores concatenated along time give the one-store series.
#include <gtest/gtest.h>

#include <cmath>

#include "store_fixture.h"

namespace pixeldrill::store_test {
namespace {

class StoreXarray : public StoreFixture {};

nlohmann::json xarray_point(double lat, double lon, const std::string& stores) {
  const auto r = run(python_script("store_xarray_point.py") + " " + std::to_string(lat) + " " +
                     std::to_string(lon) + " sea_surface_temperature,quality_level " + stores);
  EXPECT_EQ(r.status, 0) << r.out;
  return nlohmann::json::parse(r.out);
}

void expect_same_rows(const nlohmann::json& mine, const nlohmann::json& theirs) {
  ASSERT_EQ(mine["data"].size(), theirs["rows"].size());
  size_t valid = 0;
  for (size_t i = 0; i < mine["data"].size(); ++i) {
    const auto& a = mine["data"][i];
    const auto& b = theirs["rows"][i];
    ASSERT_EQ(a["time"], b["time"]) << i;
    EXPECT_EQ(a["lat"], b["lat"]);
    EXPECT_EQ(a["lon"], b["lon"]);
    for (const char* n : {"sea_surface_temperature", "quality_level"}) {
      ASSERT_EQ(a[n].is_null(), b[n].is_null()) << n << " row " << i;
      if (a[n].is_null()) continue;
      ++valid;
      EXPECT_EQ(a[n].get<double>(), b[n].get<double>()) << n << " row " << i;
    }
  }
  EXPECT_GT(valid, 10u);
}

TEST_F(StoreXarray, OpenZarrGivesPixeldrillsValuesAndTimes) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("s"), "--chunks 8,32,32"), 0);
  for (auto [lat, lon] : {std::pair{-30.0, 155.0}, std::pair{-9.6, 100.4}}) {
    const auto theirs = xarray_point(lat, lon, out.str("s"));
    EXPECT_EQ(theirs["dtypes"]["sea_surface_temperature"], "float32");
    EXPECT_EQ(theirs["time_dtype"], "datetime64[ns]");
    const auto mine =
        drill(out.str("s"), "--point " + std::to_string(lat) + "," + std::to_string(lon));
    expect_same_rows(mine, theirs);
  }
}

TEST_F(StoreXarray, PackedStoreDecodesInXarrayLikeInPixeldrill) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("s"), "--mode packed"), 0);
  const auto theirs = xarray_point(-30, 155, out.str("s"));
  const auto mine = drill(out.str("s"), "--point -30,155");
  // xarray decodes int16 * scale + offset in float32 (its default for int16);
  // pixeldrill in double: equal after rounding to float32.
  ASSERT_EQ(mine["data"].size(), theirs["rows"].size());
  size_t valid = 0;
  for (size_t i = 0; i < mine["data"].size(); ++i) {
    const auto& a = mine["data"][i]["sea_surface_temperature"];
    const auto& b = theirs["rows"][i]["sea_surface_temperature"];
    ASSERT_EQ(a.is_null(), b.is_null());
    if (a.is_null()) continue;
    ++valid;
    EXPECT_NEAR(a.get<double>(), b.get<double>(), 1e-4);
    EXPECT_EQ(mine["data"][i]["time"], theirs["rows"][i]["time"]);
  }
  EXPECT_GT(valid, 5u);
}

TEST_F(StoreXarray, PerYearStoresConcatenatedAlongTimeGiveTheWholeSeries) {
  TempDir out;
  ASSERT_EQ(convert(coll() + "/2019", out.str("y2019"), "--chunks 366,32,32"), 0);
  ASSERT_EQ(convert(coll() + "/2020", out.str("y2020"), "--chunks 366,32,32"), 0);
  ASSERT_EQ(convert(coll(), out.str("all"), "--chunks 366,32,32"), 0);
  const auto theirs = xarray_point(-30, 155, out.str("y2019") + " " + out.str("y2020"));
  const auto mine = drill(out.str("all"), "--point -30,155");
  expect_same_rows(mine, theirs);
  EXPECT_GT(theirs["rows"].size(), 20u);
}

}  // namespace
}  // namespace pixeldrill::store_test

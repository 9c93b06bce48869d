// `pixeldrill drill` on the real IMOS sample files, checked against ncdump's
// raw values and against xarray's nearest-pixel choice.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>

#include "catalog/nc_metadata.h"
#include "drill/plan.h"
#include "drill_test_util.h"

using namespace pixeldrill;
using namespace pixeldrill::testing;

namespace {

// The data values of `var` as ncdump prints them (raw, unpacked), "_" -> nullopt.
std::vector<std::optional<double>> ncdump_values(const std::string& file, const std::string& var) {
  const auto r = run("ncdump -p 9,17 -v " + var + " " + file);
  EXPECT_EQ(r.status, 0);
  const size_t data = r.out.find("data:");
  const size_t start = r.out.find(" " + var + " =", data);
  const size_t end = r.out.find(';', start);
  std::vector<std::optional<double>> out;
  std::string token;
  for (size_t i = r.out.find('=', start) + 1; i <= end; ++i) {
    const char c = r.out[i];
    if (c == ',' || c == ';' || std::isspace(static_cast<unsigned char>(c))) {
      if (!token.empty())
        out.push_back(token == "_" ? std::nullopt : std::optional(std::stod(token)));
      token.clear();
    } else {
      token += c;
    }
  }
  return out;
}

// A numeric attribute as ncdump prints it with 17 significant digits.
std::optional<double> ncdump_attribute(const std::string& file, const std::string& var,
                                       const std::string& att) {
  const auto r = run("ncdump -h -p 9,17 " + file);
  const std::string key = var + ":" + att + " = ";
  const size_t at = r.out.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::stod(r.out.substr(at + key.size()));
}

}  // namespace

TEST(DrillFixtures, Subset2017PixelsEqualNcdumpRawDecodedWithTheFilesPacking) {
  const std::string file = fixture("L3S-1d_day_2017_subset_a.nc");
  const char* vars = "sea_surface_temperature,quality_level,sst_dtime,wind_speed";
  const auto r = run(pixeldrill_bin() + " drill " + file +
                     " --box -30.7,-30.5,95,98 --precision full --var " + vars);
  ASSERT_EQ(r.status, 0);
  const auto t = parse_csv(r.out);
  ASSERT_EQ(t.size(), 1u + 7 * 113);
  EXPECT_EQ(t[1][0], "2017-02-01T03:20:00Z");
  size_t checked = 0;
  const auto names = split(vars, ',');
  for (size_t v = 0; v < names.size(); ++v) {
    const auto raw = ncdump_values(file, names[v]);
    ASSERT_EQ(raw.size(), 7u * 113);
    const double scale = ncdump_attribute(file, names[v], "scale_factor").value_or(1.0);
    const double offset = ncdump_attribute(file, names[v], "add_offset").value_or(0.0);
    for (size_t i = 0; i < raw.size(); ++i) {
      const std::string& got = t[i + 1][4 + v];
      if (!raw[i]) {
        EXPECT_EQ(got, "") << names[v] << " pixel " << i;
      } else {
        ASSERT_NE(got, "") << names[v] << " pixel " << i;
        EXPECT_EQ(std::stod(got), *raw[i] * scale + offset) << names[v] << " pixel " << i;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(DrillFixtures, Unpacked2015FileWithUnlimitedTimeDrillsTwoDays) {
  const std::string file = fixture("L3S-1d_ngt_20150902-03_subset_unpacked.nc");
  const auto r = run(pixeldrill_bin() + " drill " + file +
                     " --box -12.5,-12,150,150.5 --var sea_surface_temperature");
  ASSERT_EQ(r.status, 0);
  const auto t = parse_csv(r.out);
  ASSERT_GT(t.size(), 3u);
  const size_t per_day = (t.size() - 1) / 2;
  ASSERT_EQ(t.size(), 1 + 2 * per_day);
  EXPECT_EQ(t[1][0], "2015-09-02T15:20:00Z");
  EXPECT_EQ(t[per_day + 1][0], "2015-09-03T15:20:00Z");
  // Day two at the same pixels, and values equal to ncdump's floats.
  const auto raw = ncdump_values(file, "sea_surface_temperature");
  ASSERT_EQ(raw.size(), 2u * 132 * 141);
  const auto lat_r = run("ncdump -p 9,17 -v lat " + file),
             lon_r = run("ncdump -p 9,17 -v lon " + file);
  size_t valid = 0;
  for (size_t i = 0; i < per_day; ++i) {
    EXPECT_EQ(t[1 + i][2], t[1 + per_day + i][2]);
    EXPECT_EQ(t[1 + i][3], t[1 + per_day + i][3]);
    for (size_t day = 0; day < 2; ++day) {
      const auto& row = t[1 + day * per_day + i];
      if (!row[4].empty()) ++valid;
    }
  }
  EXPECT_GT(valid, 0u);
  // The first box pixel: find it in the file's grid and compare both days.
  const auto grid_lat = ncdump_values(file, "lat"), grid_lon = ncdump_values(file, "lon");
  size_t row = 0, col = 0;
  for (size_t i = 0; i < grid_lat.size(); ++i) {
    if (static_cast<float>(*grid_lat[i]) == std::stof(t[1][2])) row = i;
  }
  for (size_t j = 0; j < grid_lon.size(); ++j) {
    if (static_cast<float>(*grid_lon[j]) == std::stof(t[1][3])) col = j;
  }
  for (size_t day = 0; day < 2; ++day) {
    const auto& expect = raw[day * 132 * 141 + row * 141 + col];
    const std::string& got = t[1 + day * per_day][4];
    if (!expect) {
      EXPECT_EQ(got, "");
    } else {
      EXPECT_EQ(static_cast<float>(std::stod(got)), static_cast<float>(*expect));
    }
  }
}

TEST(DrillFixtures, FullGrid2025MapsRottnestToXarraysRowColumnAndCentre) {
  const std::string file =
      fixture("20250101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.grid-only.nc");
  const auto py =
      run(python() + " -c \"import xarray as xr, numpy as np; ds = xr.open_dataset('" + file +
          "'); p = ds.sel(lat=-32.0, lon=115.0, method='nearest'); "
          "print(int(np.argwhere(ds.lat.values == p.lat.values)[0][0]), "
          "int(np.argwhere(ds.lon.values == p.lon.values)[0][0]), "
          "np.float32(p.lat.values), np.float32(p.lon.values))\"");
  ASSERT_EQ(py.status, 0);
  const auto expect = split(lines(py.out).at(0), ' ');
  ASSERT_EQ(expect.size(), 4u);

  const auto file_handle = formats::netcdf::NcFile::open(file);
  const auto meta = catalog::read_metadata(file_handle);
  EXPECT_EQ(meta.grid.lat.size(), 4500u);
  EXPECT_EQ(meta.grid.lon.size(), 6000u);
  drill::Query q;
  q.sites = {{"", -32.0, 115.0}};
  const auto plan = drill::make_plan(q, meta.grid);
  ASSERT_EQ(plan.pixels.size(), 1u);
  EXPECT_EQ(plan.pixels[0].row, std::stoul(expect[0]));
  EXPECT_EQ(plan.pixels[0].col, std::stoul(expect[1]));

  const auto r = run(pixeldrill_bin() + " drill " + file + " --point -32.0,115.0");
  ASSERT_EQ(r.status, 0);
  const auto t = parse_csv(r.out);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1][0], "2025-01-01T15:20:00Z");
  EXPECT_EQ(t[1][2], expect[2]);
  EXPECT_EQ(t[1][3], expect[3]);
  EXPECT_EQ(t[1][4], "");  // the grid-only file holds NaN everywhere
}

// Every product `synth --product` makes goes through synth -> index ->
// convert -> drill (folder, index, store) -> combined kerchunk refs read by
// xarray, and every path gives the same series at a point: the folder and
// index drills bit for bit, the exact store as float32 of them, xarray's
// decoding of the refs equal to the folder drill.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "../drill/drill_test_util.h"

namespace pixeldrill::testing {
namespace {

struct Row {
  std::string time;
  std::string lat, lon;
  std::string sst, quality;
};

std::vector<Row> parse_csv(const std::string& text) {
  std::vector<Row> rows;
  const auto all = lines(text);
  for (size_t i = 1; i < all.size(); ++i) {
    const auto f = split(all[i], ',');
    if (f.size() < 6) continue;
    rows.push_back({f[0], f[2], f[3], f[4], f[5]});
  }
  return rows;
}

struct Case {
  std::string product;
  std::string from, to;
  std::string point;      // lat,lon
  std::string extra;      // more synth options
  size_t expected_steps;  // every step synthesised (--no-gaps)
};

class ProductEndToEnd : public ::testing::TestWithParam<Case> {};

std::string synth_command(const Case& c, const std::string& dir) {
  return pixeldrill() + " synth " + dir + " --product " + c.product + " --from " + c.from +
         " --to " + c.to + " --decimate 50 --no-gaps --threads 2 -q " +
         "--vars sea_surface_temperature,quality_level " + c.extra;
}

TEST_P(ProductEndToEnd, EveryPathGivesTheSameSeries) {
  const Case& c = GetParam();
  TempDir tmp("pixeldrill-products");
  const std::string coll = tmp / "coll";
  ASSERT_EQ(run(synth_command(c, coll)).status, 0);
  ASSERT_EQ(run(pixeldrill() + " index " + coll + " -o " + (tmp / "c.pdx") + " 2>/dev/null").status,
            0);
  const auto convert =
      run(pixeldrill() + " convert " + coll + " -o " + (tmp / "s.zarr") + " --threads 2 -q 2>&1");
  ASSERT_EQ(convert.status, 0) << convert.out;

  // Full precision: values are compared with the store's float32 and xarray's doubles.
  const std::string query =
      " --point " + c.point + " --precision full --var sea_surface_temperature,quality_level";
  const auto folder = run(pixeldrill() + " drill " + coll + query + " 2>/dev/null");
  const auto index = run(pixeldrill() + " drill " + (tmp / "c.pdx") + query + " 2>/dev/null");
  const auto store = run(pixeldrill() + " drill " + (tmp / "s.zarr") + query + " 2>/dev/null");
  ASSERT_EQ(folder.status, 0);
  ASSERT_EQ(index.status, 0);
  ASSERT_EQ(store.status, 0);

  const auto rows = parse_csv(folder.out);
  ASSERT_EQ(rows.size(), c.expected_steps) << folder.out;
  size_t valid = 0;
  for (const Row& r : rows) valid += !r.sst.empty();
  EXPECT_GT(valid, 0u) << "the point never sees clear sky: the test checks nothing\n" << folder.out;
  EXPECT_EQ(index.out, folder.out);

  const auto srows = parse_csv(store.out);
  ASSERT_EQ(srows.size(), rows.size()) << store.out;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(srows[i].time, rows[i].time);
    EXPECT_EQ(srows[i].quality, rows[i].quality) << rows[i].time;
    if (rows[i].sst.empty()) {
      EXPECT_TRUE(srows[i].sst.empty()) << rows[i].time;
    } else {
      ASSERT_FALSE(srows[i].sst.empty()) << rows[i].time;
      EXPECT_EQ(std::stof(srows[i].sst), static_cast<float>(std::stod(rows[i].sst)))
          << rows[i].time;
    }
  }

  // xarray through the combined kerchunk references.
  ASSERT_EQ(run(pixeldrill() + " refs " + (tmp / "c.pdx") + " -o " + (tmp / "all.json") +
                " --combined 2>/dev/null")
                .status,
            0);
  const auto comma = c.point.find(',');
  {
    std::ofstream q(tmp / "q.json");
    q << "[{\"refs\": \"" << (tmp / "all.json") << "\", \"lat\": " << c.point.substr(0, comma)
      << ", \"lon\": " << c.point.substr(comma + 1) << ", \"var\": \"sea_surface_temperature\"}]";
  }
  const auto xr =
      run(python() + " " + python_script("index_kerchunk_read.py") + " " + (tmp / "q.json"));
  ASSERT_EQ(xr.status, 0) << xr.out;
  std::map<std::string, std::string> exact;
  for (const auto& line : lines(xr.out)) {
    const auto f = split(line, ' ');
    if (f.size() == 4 && f[1] != "pixel") exact[f[1]] = f[2];
  }
  ASSERT_EQ(exact.size(), rows.size()) << xr.out;
  for (const Row& r : rows) {
    ASSERT_TRUE(exact.count(r.time)) << "xarray has no time " << r.time << "\n" << xr.out;
    if (r.sst.empty()) {
      EXPECT_EQ(exact[r.time], "nan") << r.time;
    } else {
      EXPECT_EQ(std::stod(exact[r.time]), std::stod(r.sst)) << r.time;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Products, ProductEndToEnd,
    ::testing::Values(Case{"l3s-1d-night", "2020-01-01", "2020-01-03", "-32,114", "", 3},
                      Case{"l3s-1d-day", "2020-01-01", "2020-01-03", "-32,114", "", 3},
                      Case{"l3s-6d", "2020-01-01", "2020-01-03", "-32,114", "", 3},
                      Case{"l3s-1m", "2020-01-01", "2020-03-31", "-32,114", "", 3},
                      Case{"l3c-4h-himawari", "2020-01-01", "2020-01-02", "-32,114", "", 12},
                      Case{"l3s-1d-southern", "2020-01-01", "2020-01-03", "-45,150", "", 3},
                      // Six steps per file along an UNLIMITED time stored as double hours
                      // since 1990: the multi-step and float-time paths.
                      Case{"l3c-4h-himawari", "2020-01-01", "2020-01-02", "-32,114",
                           "--steps-per-file 6 --time-type double-hours-1990", 12}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.product + (info.param.extra.empty() ? "" : "_multistep");
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

TEST(ProductTimes, MonthlyStampsAtMidMonthAndFourHourlyAtEveryStep) {
  TempDir tmp("pixeldrill-products");
  ASSERT_EQ(run(synth_command({"l3s-1m", "2020-01-01", "2020-03-31", "", "", 0}, tmp / "m")).status,
            0);
  const auto m =
      parse_csv(run(pixeldrill() + " drill " + (tmp / "m") + " --point -32,114 2>/dev/null").out);
  ASSERT_EQ(m.size(), 3u);
  // The centre of each month (GDS 2: an L3S time is the centre of its window).
  EXPECT_EQ(m[0].time, "2020-01-16T12:00:00Z");
  EXPECT_EQ(m[1].time, "2020-02-15T12:00:00Z");
  EXPECT_EQ(m[2].time, "2020-03-16T12:00:00Z");
  EXPECT_TRUE(std::filesystem::exists(
      tmp / "m/2020/20200131032000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1m_night.nc"));

  ASSERT_EQ(
      run(synth_command({"l3c-4h-himawari", "2020-01-01", "2020-01-01", "", "", 0}, tmp / "h"))
          .status,
      0);
  const auto h =
      parse_csv(run(pixeldrill() + " drill " + (tmp / "h") + " --point -32,114 2>/dev/null").out);
  ASSERT_EQ(h.size(), 6u);
  for (size_t k = 0; k < 6; ++k) {
    char expected[32];
    std::snprintf(expected, sizeof expected, "2020-01-01T%02zu:00:00Z", 4 * k);
    EXPECT_EQ(h[k].time, expected);
  }
  // Times of day in --from/--to select steps within a day.
  const auto part = parse_csv(run(pixeldrill() + " drill " + (tmp / "h") +
                                  " --point -32,114 --from 2020-01-01T08:00 --to "
                                  "2020-01-01T16:00 2>/dev/null")
                                  .out);
  ASSERT_EQ(part.size(), 3u);
  EXPECT_EQ(part.front().time, "2020-01-01T08:00:00Z");
  EXPECT_EQ(part.back().time, "2020-01-01T16:00:00Z");
}

TEST(ProductTimes, StoreTimeChunkIsAYearOfStepsWhateverTheCadence) {
  TempDir tmp("pixeldrill-products");
  ASSERT_EQ(
      run(synth_command({"l3c-4h-himawari", "2020-01-01", "2020-01-02", "", "", 0}, tmp / "h"))
          .status,
      0);
  auto chunks_of = [&](const std::string& store, const std::string& option) {
    const auto r = run(pixeldrill() + " convert " + (tmp / "h") + " -o " + (tmp / store) +
                       " --threads 2 -q " + option + " 2>&1");
    EXPECT_EQ(r.status, 0) << r.out;
    const auto meta = read_text(tmp / (store + "/sea_surface_temperature/.zarray"));
    const auto at = meta.find('[', meta.find("\"chunks\""));
    return std::stol(meta.substr(meta.find_first_of("0123456789", at)));
  };
  EXPECT_EQ(chunks_of("default.zarr", ""), 2191);  // 365.2425 days of 4-hour steps
  EXPECT_EQ(chunks_of("month.zarr", "--chunks 1m,32,32"), 183);
  EXPECT_EQ(chunks_of("days.zarr", "--chunks 30d,32,32"), 180);
  EXPECT_EQ(chunks_of("steps.zarr", "--chunks 7,32,32"), 7);
  const auto bad = run(pixeldrill() + " convert " + (tmp / "h") + " -o " + (tmp / "bad.zarr") +
                       " --chunks 3q,32,32 2>&1");
  EXPECT_NE(bad.status, 0) << bad.out;
  EXPECT_NE(bad.out.find("3q"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace pixeldrill::testing

namespace pixeldrill::testing {
namespace {

TEST(ProductMix, MixedProductsAreRefusedNamingExamplesAndProductPicksOne) {
  TempDir tmp("pixeldrill-products");
  const std::string mixed = tmp / "mixed", night = tmp / "night";
  const std::string common =
      " --from 2020-01-01 --to 2020-01-02 --decimate 50 --no-gaps -q "
      "--vars sea_surface_temperature,quality_level";
  ASSERT_EQ(run(pixeldrill() + " synth " + mixed + " --product l3s-1d-night" + common).status, 0);
  ASSERT_EQ(run(pixeldrill() + " synth " + night + " --product l3s-1d-night" + common).status, 0);
  ASSERT_EQ(run(pixeldrill() + " synth " + mixed + " --product l3c-4h-himawari" + common).status,
            0);
  ASSERT_EQ(
      run(pixeldrill() + " index " + mixed + " -o " + (tmp / "m.pdx") + " 2>/dev/null").status, 0);
  const std::string point = " --point -32,114";
  for (const std::string& source : {mixed, tmp / "m.pdx"}) {
    const auto refused = run(pixeldrill() + " drill " + source + point + " 2>&1");
    EXPECT_NE(refused.status, 0) << refused.out;
    EXPECT_NE(refused.out.find("mixes 2 products"), std::string::npos) << refused.out;
    // Two example files of each product.
    for (const char* name : {"20200101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
                             "20200102152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
                             "20200101000000-ABOM-L3C_GHRSST-SSTskin-AHI_H08-4h-v02.0-fv02.0.nc",
                             "20200101040000-ABOM-L3C_GHRSST-SSTskin-AHI_H08-4h-v02.0-fv02.0.nc"})
      EXPECT_NE(refused.out.find(name), std::string::npos) << name << "\n" << refused.out;
  }
  const auto reference = run(pixeldrill() + " drill " + night + point + " 2>/dev/null");
  ASSERT_EQ(reference.status, 0);
  ASSERT_EQ(lines(reference.out).size(), 3u) << reference.out;
  for (const std::string& source : {mixed, tmp / "m.pdx"}) {
    const auto picked =
        run(pixeldrill() + " drill " + source + point + " --product 1d_night 2>/dev/null");
    EXPECT_EQ(picked.status, 0);
    EXPECT_EQ(picked.out, reference.out) << source;
  }
  const auto four_hourly =
      run(pixeldrill() + " drill " + mixed + point + " --product AHI_H08-4h 2>/dev/null");
  EXPECT_EQ(lines(four_hourly.out).size(), 13u) << four_hourly.out;  // header + 12 steps
  const auto glob =
      run(pixeldrill() + " drill '" + mixed + "/*/*1d_night.nc'" + point + " 2>/dev/null");
  EXPECT_EQ(glob.out, reference.out);
  const auto nothing = run(pixeldrill() + " drill " + mixed + point + " --product 6d_night 2>&1");
  EXPECT_NE(nothing.status, 0);
  EXPECT_NE(nothing.out.find("1d_night"), std::string::npos) << nothing.out;
  const auto convert =
      run(pixeldrill() + " convert " + mixed + " -o " + (tmp / "s.zarr") + " 2>&1");
  EXPECT_NE(convert.status, 0);
  EXPECT_NE(convert.out.find("mixes 2 products"), std::string::npos) << convert.out;
}

}  // namespace
}  // namespace pixeldrill::testing

namespace pixeldrill::testing {
namespace {

TEST(ProductTimes, InfoAndStoreMessagesCarryTimesOfDayForSubDailyData) {
  TempDir tmp("pixeldrill-products");
  const std::string coll = tmp / "h";
  const std::string common =
      " --product l3c-4h-himawari --decimate 50 --no-gaps -q --vars "
      "sea_surface_temperature,quality_level";
  ASSERT_EQ(
      run(pixeldrill() + " synth " + coll + common + " --from 2020-01-01 --to 2020-01-01").status,
      0);
  ASSERT_EQ(run(pixeldrill() + " index " + coll + " -o " + (tmp / "h.pdx") + " 2>/dev/null").status,
            0);
  const auto info = run(pixeldrill() + " info " + (tmp / "h.pdx"));
  EXPECT_NE(info.out.find("6 files, 2020-01-01T00:00:00Z .. 2020-01-01T20:00:00Z"),
            std::string::npos)
      << info.out;
  ASSERT_EQ(run(pixeldrill() + " convert " + coll + " -o " + (tmp / "s.zarr") + " -q 2>&1").status,
            0);
  ASSERT_EQ(
      run(pixeldrill() + " synth " + coll + common + " --from 2020-01-02 --to 2020-01-02").status,
      0);
  const auto drilled =
      run(pixeldrill() + " drill " + (tmp / "s.zarr") + " --point -32,114 2>&1 >/dev/null");
  EXPECT_NE(drilled.out.find("2020-01-01T00:00:00Z..2020-01-01T20:00:00Z, 6 time steps"),
            std::string::npos)
      << drilled.out;
  EXPECT_NE(drilled.out.find("2020-01-02T00:00:00Z..2020-01-02T20:00:00Z, 6 time steps newer"),
            std::string::npos)
      << drilled.out;
}

}  // namespace
}  // namespace pixeldrill::testing

// `pixeldrill synth` behaviour: bad input, determinism, missing days,
// atomic overwrite, variable subsets, and agreement of independent readers
// (xarray, h5py via /usr/bin/python3) with netCDF-C.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../support/test_paths.h"
#include "core/civil_time.h"
#include "synth/land_mask.h"
#include "synth/product.h"
#include "synth/synth_grid.h"
#include "synth_test_util.h"

namespace pixeldrill::synth {
namespace {

namespace fs = std::filesystem;
using testing::day_file;
using testing::NcFile;
using testing::run;
using testing::synth_cmd;
using testing::TempDir;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> nc_files(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SynthCli, RejectsFromAfterTo) {
  TempDir dir;
  const auto r = run(synth_cmd(dir / "c", "--from 2020-01-05 --to 2020-01-01 --decimate 50"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--from 2020-01-05 is after --to 2020-01-01"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "c/2020"));
}

TEST(SynthCli, RejectsMalformedDates) {
  TempDir dir;
  const auto r = run(synth_cmd(dir / "c", "--from 2020-13-45 --to 2020-01-01 --decimate 50"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--from"), std::string::npos) << r.output;
}

TEST(SynthCli, RejectsBadDecimation) {
  TempDir dir;
  for (const char* n : {"0", "7", "200"}) {
    const auto r = run(synth_cmd(dir / "c", std::string("--decimate ") + n));
    EXPECT_NE(r.exit_code, 0) << n;
    EXPECT_NE(r.output.find("--decimate " + std::string(n)), std::string::npos) << r.output;
  }
}

TEST(SynthCli, RejectsUnknownVariable) {
  TempDir dir;
  const auto r =
      run(synth_cmd(dir / "c", "--vars sea_surface_temperature,sst_bogus --decimate 50"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--vars"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("'sst_bogus'"), std::string::npos) << r.output;
}

TEST(SynthCli, VarsRestrictsTheDataVariablesButKeepsCoordinates) {
  TempDir dir;
  const auto r = run(synth_cmd(dir / "c",
                               "--from 2019-06-01 --to 2019-06-01 --no-gaps --decimate 100 "
                               "--vars quality_level,sea_surface_temperature"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  NcFile f(day_file(dir / "c", "20190601"));
  EXPECT_EQ(f.data_vars(), (std::vector<std::string>{"sea_surface_temperature", "quality_level"}));
  EXPECT_TRUE(f.has_var("lat"));
  EXPECT_TRUE(f.has_var("lon"));
  EXPECT_TRUE(f.has_var("time"));
}

TEST(SynthCli, SameSeedGivesByteIdenticalFilesWhateverTheThreadsOrRange) {
  TempDir dir;
  const std::string args = "--from 2017-03-01 --to 2017-03-03 --no-gaps --decimate 60";
  ASSERT_EQ(run(synth_cmd(dir / "a", args + " --seed 5 --threads 1")).exit_code, 0);
  ASSERT_EQ(run(synth_cmd(dir / "b", args + " --seed 5 --threads 2")).exit_code, 0);
  ASSERT_EQ(run(synth_cmd(dir / "c", "--from 2017-03-02 --to 2017-03-02 --decimate 60 --seed 5"))
                .exit_code,
            0);
  ASSERT_EQ(run(synth_cmd(dir / "d", args + " --seed 6")).exit_code, 0);
  const auto files = nc_files(dir / "a");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files, nc_files(dir / "b"));
  for (const auto& f : files)
    EXPECT_EQ(read_all(dir / ("a/" + f)), read_all(dir / ("b/" + f))) << f;
  const std::string mid = "2017/20170302152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
  EXPECT_EQ(read_all(dir / ("a/" + mid)), read_all(dir / ("c/" + mid)));
  NcFile a(dir / ("a/" + mid)), d(dir / ("d/" + mid));
  EXPECT_NE(a.raw("sea_surface_temperature"), d.raw("sea_surface_temperature"));
}

TEST(SynthCli, LeavesOutAFewPercentOfDaysDeterministically) {
  // The rate over many years, from the library's own rule.
  int missing = 0;
  const int64_t first = days_from_civil({2000, 1, 1});
  for (int64_t d = first; d < first + 4000; ++d) missing += is_missing_day(1, d);
  EXPECT_GT(missing, 4000 * 0.01);
  EXPECT_LT(missing, 4000 * 0.05);
  // A generated range leaves out exactly the days the rule names.
  int64_t gap = first;
  while (!is_missing_day(1, gap)) ++gap;
  TempDir dir;
  const std::string from = format_iso8601((gap - 2) * 86400).substr(0, 10);
  const std::string to = format_iso8601((gap + 2) * 86400).substr(0, 10);
  const auto r = run(synth_cmd(dir / "c", "--from " + from + " --to " + to + " --decimate 100"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("files/s"), std::string::npos) << r.output;
  for (int64_t d = gap - 2; d <= gap + 2; ++d) {
    const std::string ymd = format_yyyymmdd(d * 86400);
    EXPECT_EQ(fs::exists(day_file(dir / "c", ymd)), !is_missing_day(1, d)) << ymd;
  }
  EXPECT_FALSE(fs::exists(day_file(dir / "c", format_yyyymmdd(gap * 86400))));
}

TEST(SynthCli, RegeneratingReplacesFilesAndLeavesNoTemporaries) {
  TempDir dir;
  const std::string args = "--from 2018-05-01 --to 2018-05-02 --no-gaps --decimate 100";
  ASSERT_EQ(run(synth_cmd(dir / "c", args + " --seed 1")).exit_code, 0);
  const std::string path = day_file(dir / "c", "20180501");
  const std::string before = read_all(path);
  ASSERT_EQ(run(synth_cmd(dir / "c", args + " --seed 2")).exit_code, 0);
  EXPECT_NE(read_all(path), before);
  EXPECT_EQ(nc_files(dir / "c"),
            (std::vector<std::string>{
                "2018/20180501152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
                "2018/20180502152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc"}));
  NcFile f(path);  // still a complete, readable file
  EXPECT_EQ(f.data_vars().size(), 13u);
}

TEST(SynthCli, XarrayAndH5pyDecodeTheSameSstAsNetcdfC) {
  TempDir dir;
  ASSERT_EQ(run(synth_cmd(dir / "c", "--from 2016-07-01 --to 2016-07-01 --no-gaps --decimate 20"))
                .exit_code,
            0);
  const std::string path = day_file(dir / "c", "20160701");
  NcFile f(path);
  const auto raw = f.raw("sea_surface_temperature");
  const double scale = f.num_att("sea_surface_temperature", "scale_factor")[0];
  const double offset = f.num_att("sea_surface_temperature", "add_offset")[0];
  const size_t nlon = 300;
  // Pixels spread over every 2016-layout chunk, valid and missing alike.
  std::vector<std::pair<size_t, size_t>> pixels;
  for (size_t r = 3; r < 225; r += 37)
    for (size_t c = 5; c < 300; c += 41) pixels.push_back({r, c});
  std::string args;
  for (auto [r, c] : pixels) args += " " + std::to_string(r) + " " + std::to_string(c);
  const auto py = run(std::string("/usr/bin/python3 ") + PIXELDRILL_SOURCE_DIR +
                      "/tests/python/synth_stats.py '" + path + "'" + args);
  ASSERT_EQ(py.exit_code, 0) << py.output;
  const auto j = nlohmann::json::parse(py.output);
  EXPECT_EQ(j["time"], "2016-07-01T15:20:00");
  EXPECT_EQ(j["h5py_chunks"], nlohmann::json::array({1, 57, 75}));
  EXPECT_EQ(j["h5py_compression"], nlohmann::json::array({"gzip", 3, true}));
  size_t valid = 0;
  for (size_t k = 0; k < pixels.size(); ++k) {
    const double v = raw[pixels[k].first * nlon + pixels[k].second];
    if (v == -32768) {
      EXPECT_TRUE(j["xarray_sst"][k].is_null()) << k;
      EXPECT_TRUE(j["h5py_sst"][k].is_null()) << k;
      continue;
    }
    ++valid;
    const double expected = v * scale + offset;
    EXPECT_NEAR(j["h5py_sst"][k].get<double>(), expected, 1e-9) << k;
    // xarray decodes short+float32 scale to float32.
    EXPECT_NEAR(j["xarray_sst"][k].get<double>(), expected, 1e-4) << k;
  }
  EXPECT_GT(valid, 5u);
  // Land holds fills like cloud does, so the ocean comes from the generator's mask.
  const auto land = make_land_mask(make_grid(20));
  const auto ocean = static_cast<double>(std::count(land.begin(), land.end(), 0));
  EXPECT_GE(j["valid_count"].get<double>() / ocean, 0.30);
  EXPECT_LE(j["valid_count"].get<double>() / ocean, 0.50);
}

}  // namespace
}  // namespace pixeldrill::synth

// Every kind of bad input to `pixeldrill drill` gives a clear message naming
// what is wrong, a non-zero exit status and no silent wrong value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "drill_test_util.h"

using namespace pixeldrill::testing;

namespace {

class DrillBadInput : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(make_era_collection(dir_ / "coll")); }

  // Runs drill; stderr goes to `err_`.
  CommandResult drill(const std::string& source, const std::string& args) {
    auto r = run(pixeldrill_bin() + " drill " + source + " " + args + " 2>" + (dir_ / "err.txt"));
    err_ = read_text(dir_ / "err.txt");
    return r;
  }
  // A request the user must fix: exit 2; anything else that stops the drill: exit 1.
  void expect_usage_error(const CommandResult& r, const std::vector<std::string>& mentions) {
    expect_error(r, mentions, 2);
  }
  void expect_error(const CommandResult& r, const std::vector<std::string>& mentions,
                    int status = 1) {
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.out, "");
    for (const auto& m : mentions)
      EXPECT_NE(err_.find(m), std::string::npos) << "no '" << m << "' in: " << err_;
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  TempDir dir_;
  std::string err_;
};

}  // namespace

TEST_F(DrillBadInput, MissingFolderIsNamed) {
  expect_error(drill(dir_ / "nowhere", "--point -40,100"),
               {dir_ / "nowhere", "no such file or folder"});
}

TEST_F(DrillBadInput, GlobMatchingNothingAndFolderWithoutNetcdfAreNamed) {
  expect_error(drill("'" + (dir_ / "coll") + "/*/1999*.nc'", "--point -40,100"),
               {"1999*.nc", "no files match"});
  std::filesystem::create_directory(dir_ / "empty");
  write("empty/readme.txt", "not data");
  expect_error(drill(dir_ / "empty", "--point -40,100"), {dir_ / "empty", "no NetCDF files"});
}

TEST_F(DrillBadInput, PointOutsideGridNamesPointAndExtent) {
  expect_usage_error(drill(dir_ / "coll", "--point 45,100"),
                     {"--point 45,100", "outside the grid", "lat -69.5..19.5"});
  expect_usage_error(drill(dir_ / "coll", "--point -40,200"),
                     {"--point -40,200", "lon 70.5..189.5"});
  expect_usage_error(drill(dir_ / "coll", "--point north,100"), {"--point 'north,100'", "LAT,LON"});
}

TEST_F(DrillBadInput, UnknownVariableIsNamedWithTheVariablesThatExist) {
  // An argument error (exit 2), as a point outside the grid is.
  expect_usage_error(drill(dir_ / "coll", "--point -40,100 --var sea_surface_temperature,salinity"),
                     {"--vars salinity", "no such variable", "sses_bias"});
}

TEST_F(DrillBadInput, TruncatedAndNonNetcdfFilesAreSkippedByNameAndResultIsPartial) {
  const auto good = run(pixeldrill_bin() + " drill " + (dir_ / "coll") + " --point -45.3,140.77");
  ASSERT_EQ(good.status, 0);
  // Truncate one day, and drop a text file named like a day into the collection.
  const std::string victim =
      dir_ / "coll/2016/20160101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
  std::filesystem::resize_file(victim, std::filesystem::file_size(victim) / 3);
  write("coll/2019/20191229152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
        "<html>not found</html>\n");
  const auto r = drill(dir_ / "coll", "--point -45.3,140.77");
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(err_.find("20160101152000-ABOM"), std::string::npos) << err_;
  EXPECT_NE(err_.find("20191229152000-ABOM"), std::string::npos) << err_;
  EXPECT_NE(err_.find("partial"), std::string::npos) << err_;
  // The other 7 days are there, with the same values as before.
  const auto before = parse_csv(good.out), after = parse_csv(r.out);
  ASSERT_EQ(after.size(), 8u);
  size_t j = 1;
  for (size_t i = 1; i < before.size(); ++i) {
    if (before[i][0] == "2016-01-01T15:20:00Z") continue;
    EXPECT_EQ(after[j++], before[i]);
  }
  // The JSON output lists the problems too.
  const auto json = drill(dir_ / "coll", "--point -45.3,140.77 --format json");
  EXPECT_EQ(json.status, 3);
  EXPECT_NE(json.out.find("\"partial\": true"), std::string::npos);
  EXPECT_NE(json.out.find("20191229152000-ABOM"), std::string::npos);
}

TEST_F(DrillBadInput, FilesOfAnotherGridAreRefusedByName) {
  const auto r = run(pixeldrill_bin() + " synth " + (dir_ / "other") +
                     " --decimate 25 -q --no-gaps --from 2016-01-05 --to 2016-01-05");
  ASSERT_EQ(r.status, 0);
  std::filesystem::copy_file(
      dir_ / "other/2016/20160105152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
      dir_ / "coll/2016/20160105152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc");
  expect_error(
      drill(dir_ / "coll", "--point -40,100"),
      {"different grids", "20160105152000-ABOM", "180 x 240", "8 of 9 files are on 90 x 120"});
}

TEST_F(DrillBadInput, BadBoxesAreRefusedNamingBox) {
  expect_usage_error(drill(dir_ / "coll", "--box -30,-40,100,110"),
                     {"--box", "south is north of north"});
  expect_usage_error(drill(dir_ / "coll", "--box -40,-30,100"), {"--box '-40,-30,100'", "S,N,W,E"});
  expect_usage_error(drill(dir_ / "coll", "--box 30,40,100,110"),
                     {"--box 30,40,100,110", "no pixel centre"});
  expect_usage_error(drill(dir_ / "coll", "--box -40.2,-40.1,100,110"),
                     {"--box", "no pixel centre"});
  expect_usage_error(drill(dir_ / "coll", "--point -40,100 --reduce mean"),
                     {"--reduce needs --box"});
}

TEST_F(DrillBadInput, BadStationsFilesNameFileAndLine) {
  write("st.csv", "id,lat,lon\nA,-40,100\nB,-41\nC,-42,101\n");
  expect_usage_error(drill(dir_ / "coll", "--stations " + (dir_ / "st.csv")),
                     {"st.csv line 3", "'B,-41'"});
  write("st2.csv", "A,-40,100\nB,x,101\n");
  expect_usage_error(drill(dir_ / "coll", "--stations " + (dir_ / "st2.csv")), {"st2.csv line 2"});
  write("st3.csv", "A,-40,100\nB,-95,101\n");
  expect_usage_error(drill(dir_ / "coll", "--stations " + (dir_ / "st3.csv")),
                     {"st3.csv line 2", "outside -90..90"});
  expect_error(drill(dir_ / "coll", "--stations " + (dir_ / "none.csv")),
               {"none.csv", "cannot open"});
  // Every station outside the grid: an error. One of several: reported, the others drilled.
  write("st4.csv", "FAR,50,101\n");
  expect_usage_error(drill(dir_ / "coll", "--stations " + (dir_ / "st4.csv")),
                     {"site 'FAR'", "outside the grid"});
  write("st5.csv", "A,-40,100\nFAR,50,101\n");
  const auto partial = drill(dir_ / "coll", "--stations " + (dir_ / "st5.csv"));
  EXPECT_EQ(partial.status, 3);
  EXPECT_NE(err_.find("site 'FAR'"), std::string::npos) << err_;
  EXPECT_EQ(lines(partial.out).size(), 9u);  // header + 8 days of station A
}

TEST_F(DrillBadInput, BadDatesAndFormatsAreRefused) {
  expect_usage_error(drill(dir_ / "coll", "--point -40,100 --from 2016-13-01"), {"--from"});
  expect_usage_error(drill(dir_ / "coll", "--point -40,100 --from 2020-01-01 --to 2016-01-01"),
                     {"--from 2020-01-01 is after --to"});
  expect_usage_error(drill(dir_ / "coll", "--point -40,100 --format netcdf"),
                     {"--format netcdf needs -o"});
  EXPECT_EQ(drill(dir_ / "coll", "--point -40,100 --format xml").status, 2);
  EXPECT_EQ(drill(dir_ / "coll", "--var sea_surface_temperature").status, 2);
}

// A URL list is read by `index`; `drill @urls.txt` says so (not "no such file
// or folder"), with the commands to run, whether the list exists or not.
TEST_F(DrillBadInput, UrlListWithoutAnIndexSaysToIndexItFirst) {
  write("urls.txt", "https://example.org/a.nc\n");
  const std::string list = "@" + (dir_ / "urls.txt");
  expect_usage_error(
      drill(list, "--point -40,100"),
      {list + ": a list of URLs is drilled through an index",
       "pixeldrill index " + list + " -o urls.pdx", "pixeldrill drill urls.pdx", "docs/remote.md"});
  EXPECT_EQ(err_.find("no such file"), std::string::npos) << err_;
  EXPECT_EQ(err_.find("does not exist"), std::string::npos) << err_;
  const std::string missing = "@" + (dir_ / "missing.txt");
  expect_usage_error(drill(missing, "--point -40,100"),
                     {missing + ": a list of URLs is drilled through an index",
                      "(and " + (dir_ / "missing.txt") + " does not exist)"});
}

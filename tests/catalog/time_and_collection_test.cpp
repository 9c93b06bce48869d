#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../drill/drill_test_util.h"
#include "catalog/collection.h"
#include "catalog/time_axis.h"
#include "core/error.h"

using namespace pixeldrill;
using namespace pixeldrill::testing;

TEST(TimeUnits, ParsesCfUnitsAndReferenceDates) {
  const auto imos =
      catalog::TimeUnits::parse("seconds since 1981-01-01 00:00:00", "gregorian", "f: time");
  EXPECT_EQ(imos.seconds_per_unit, 1);
  EXPECT_EQ(imos.reference, 347155200);
  EXPECT_EQ(imos.to_unix(1388589600), 1735744800);  // 2025-01-01T15:20:00Z
  const auto hours = catalog::TimeUnits::parse("hours since 1970-01-02T06:00:00Z", "", "f: time");
  EXPECT_EQ(hours.to_unix(1.5), 86400 + 6 * 3600 + 5400);
  const auto days =
      catalog::TimeUnits::parse("days since 2000-1-1", "proleptic_gregorian", "f: time");
  EXPECT_EQ(days.to_unix(0.25), 946684800 + 21600);
  EXPECT_EQ(catalog::TimeUnits::parse("minutes since 1981-01-01", "standard", "x").to_unix(2),
            347155320);
}

TEST(TimeUnits, RefusesOtherCalendarsAndUnitsNamingWhere) {
  for (const auto& [units, cal] :
       std::vector<std::pair<std::string, std::string>>{{"days since 2000-01-01", "360_day"},
                                                        {"days since 2000-01-01", "noleap"},
                                                        {"months since 2000-01-01", "standard"},
                                                        {"days after 2000-01-01", "standard"},
                                                        {"days since yesterday", "standard"}}) {
    try {
      catalog::TimeUnits::parse(units, cal, "a.nc: variable time");
      ADD_FAILURE() << units << " / " << cal;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("a.nc: variable time"), std::string::npos);
    }
  }
}

TEST(Collection, FolderIsSearchedRecursivelyForNetcdfFilesSorted) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "2020" / "deep");
  std::ofstream(dir / "2020/deep/b.nc") << "x";
  std::ofstream(dir / "2020/a.nc") << "x";
  std::ofstream(dir / "notes.txt") << "x";
  std::ofstream(dir / "c.nc4") << "x";
  const auto files = catalog::discover_files(dir.path().string());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], dir / "2020/a.nc");
  EXPECT_EQ(files[1], dir / "2020/deep/b.nc");
  EXPECT_EQ(files[2], dir / "c.nc4");
  const auto globbed = catalog::discover_files(dir / "2020/*.nc");
  EXPECT_EQ(globbed, std::vector<std::string>{dir / "2020/a.nc"});
  EXPECT_EQ(catalog::discover_files(dir / "c.nc4"), std::vector<std::string>{dir / "c.nc4"});
  EXPECT_THROW(catalog::discover_files(dir / "missing"), Error);
  EXPECT_THROW(catalog::discover_files(dir / "*.grib"), Error);
}

TEST(Collection, RecognisesNetcdfAndHdf5Magic) {
  EXPECT_TRUE(catalog::has_netcdf_magic(fixture("L3S-1d_day_2017_subset_a.nc")));
  TempDir dir;
  std::ofstream(dir / "classic.nc") << std::string("CDF\x01\0\0\0\0", 8);
  std::ofstream(dir / "text.nc") << "<html>";
  EXPECT_TRUE(catalog::has_netcdf_magic(dir / "classic.nc"));
  EXPECT_FALSE(catalog::has_netcdf_magic(dir / "text.nc"));
}

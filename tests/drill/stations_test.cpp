// The stations CSV reader: a header is recognised only when it is one, bad
// numbers are errors naming the line, a byte order mark is not part of an id.
#include "drill/stations.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../support/temp_dir.h"
#include "core/error.h"

using pixeldrill::Error;
using pixeldrill::ErrorKind;
using pixeldrill::drill::read_stations;

namespace {

std::string write_csv(const pixeldrill::testing::TempDir& dir, const std::string& text) {
  const std::string path = dir / "stations.csv";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the BadRequest that reading `text` throws ("" if none).
std::string rejection(const std::string& text) {
  pixeldrill::testing::TempDir dir;
  try {
    read_stations(write_csv(dir, text));
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadRequest) << e.what();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Stations, FirstRowWithABadNumberIsAnErrorNotAHeader) {
  const std::string why = rejection("A,-32,11x\nB,-33,115\n");
  EXPECT_NE(why.find("line 1"), std::string::npos) << why;
  EXPECT_NE(why.find("11x"), std::string::npos) << why;
}

TEST(Stations, HeaderIsSkippedWhenBothCoordinatesAreWords) {
  pixeldrill::testing::TempDir dir;
  const auto sites = read_stations(write_csv(dir, "id,lat,lon\nA,-32,115\n"));
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].id, "A");
  EXPECT_EQ(sites[0].lat, -32);
  EXPECT_EQ(sites[0].lon, 115);
}

TEST(Stations, OverflowingNumberIsNamedNotNoStations) {
  const std::string why = rejection("A,1e400,115\n");
  EXPECT_NE(why.find("line 1"), std::string::npos) << why;
  EXPECT_EQ(why.find("no stations"), std::string::npos) << why;
  EXPECT_NE(rejection("A,-32,0x73\n").find("line 1"), std::string::npos);
  EXPECT_NE(rejection("A,-32,115\nB,nan,115\n").find("line 2"), std::string::npos);
  EXPECT_NE(rejection("A,-32,1000\n").find("longitude"), std::string::npos);
}

TEST(Stations, ByteOrderMarkIsNotPartOfTheFirstId) {
  pixeldrill::testing::TempDir dir;
  auto sites = read_stations(write_csv(dir,
                                       "\xEF\xBB\xBF"
                                       "A,-32,115\nB,-33,116\n"));
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].id, "A");
  sites = read_stations(write_csv(dir,
                                  "\xEF\xBB\xBF"
                                  "id,lat,lon\nA,-32,115\n"));
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].id, "A");
}

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

// Issue #13: stations files as spreadsheets and scripts write them.
TEST(Stations, HeaderDecidesTheColumnOrder) {
  pixeldrill::testing::TempDir dir;
  const auto sites = read_stations(write_csv(dir, "id,lon,lat\nA,115.5,-32\nB,153.6,-27.1\n"));
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].id, "A");
  EXPECT_EQ(sites[0].lat, -32);
  EXPECT_EQ(sites[0].lon, 115.5);
  EXPECT_EQ(sites[1].lat, -27.1);
  EXPECT_EQ(sites[1].lon, 153.6);
  // Other names and any case: Latitude, Longitude, Station.
  const auto named =
      read_stations(write_csv(dir, "Longitude,Station,Latitude\n115.5,Rottnest,-32\n"));
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].id, "Rottnest");
  EXPECT_EQ(named[0].lat, -32);
  EXPECT_EQ(named[0].lon, 115.5);
}

TEST(Stations, QuotedFieldsCrlfAndBomTogether) {
  pixeldrill::testing::TempDir dir;
  const auto sites = read_stations(write_csv(dir,
                                             "\xEF\xBB\xBF"
                                             "\"id\",\"lat\",\"lon\"\r\n"
                                             "\"Rottnest, WA\",\"-32.0\",\"115.5\"\r\n"
                                             "\"say \"\"hi\"\"\",-27.1, 153.6 \r\n"
                                             "\r\n"
                                             "# a comment\r\n"
                                             "C,-10,150"));
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_EQ(sites[0].id, "Rottnest, WA");
  EXPECT_EQ(sites[0].lat, -32.0);
  EXPECT_EQ(sites[0].lon, 115.5);
  EXPECT_EQ(sites[1].id, "say \"hi\"");
  EXPECT_EQ(sites[1].lon, 153.6);
  EXPECT_EQ(sites[2].id, "C");
  EXPECT_EQ(sites[2].lat, -10);
}

TEST(Stations, ExtraColumnsAreNamedAndKeptPerSite) {
  pixeldrill::testing::TempDir dir;
  const auto t = pixeldrill::drill::read_station_table(
      write_csv(dir, "name,lat,depth,lon,id\n\"Rottnest, WA\",-32,10,115.5,R1\nx,-33,,116,R2\n"));
  // "id" beats "name" as the id column; the others are extra, in file order.
  ASSERT_EQ(t.extra_columns, (std::vector<std::string>{"name", "depth"}));
  ASSERT_EQ(t.sites.size(), 2u);
  EXPECT_EQ(t.sites[0].id, "R1");
  ASSERT_EQ(t.extra.size(), 2u);
  EXPECT_EQ(t.extra[0], (std::vector<std::string>{"Rottnest, WA", "10"}));
  EXPECT_EQ(t.extra[1], (std::vector<std::string>{"x", ""}));
  EXPECT_EQ(t.sites[1].lon, 116);
}

TEST(Stations, LineNumbersSurviveCrlfBlankLinesAndComments) {
  const std::string why = rejection("id,lat,lon\r\n\r\n# note\r\nA,-32,115\r\nB,-33\r\n");
  EXPECT_NE(why.find("line 5"), std::string::npos) << why;
  const std::string header = rejection("station,latitude\nA,-32\n");
  EXPECT_NE(header.find("line 1"), std::string::npos) << header;
  const std::string quote = rejection("id,lat,lon\nA\"B,-32,115\n");
  EXPECT_NE(quote.find("not valid CSV"), std::string::npos) << quote;
  EXPECT_NE(quote.find("line 2"), std::string::npos) << quote;
}

TEST(Stations, BoxesSuggestTheSwapAndBboxIsWsen) {
  using pixeldrill::drill::parse_bbox;
  using pixeldrill::drill::parse_box;
  const auto b = parse_bbox("114.8,-32.2,115.2,-31.8");
  EXPECT_EQ(b.west, 114.8);
  EXPECT_EQ(b.south, -32.2);
  EXPECT_EQ(b.east, 115.2);
  EXPECT_EQ(b.north, -31.8);
  try {
    parse_box("-31.8,-32.2,114.8,115.2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("south is north of north; did you mean --box "
                                         "-32.2,-31.8,114.8,115.2?"),
              std::string::npos)
        << e.what();
  }
  try {
    parse_bbox("114.8,-31.8,115.2,-32.2");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean --bbox 114.8,-32.2,115.2,-31.8?"),
              std::string::npos)
        << e.what();
  }
  // West east of east: a box across the antimeridian, kept as given.
  const auto across = parse_box("-20,-10,170,-170");
  EXPECT_EQ(across.west, 170);
  EXPECT_EQ(across.east, -170);
}

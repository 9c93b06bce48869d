// Inputs as people type them (issue #13), at the library level the CLI and
// the server share: longitudes in either convention, boxes across the
// antimeridian, stations outside the grid, and the query text options.
#include <gtest/gtest.h>

#include <fstream>

#include "../support/temp_dir.h"
#include "core/error.h"
#include "drill/plan.h"
#include "drill/query_text.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace pixeldrill::drill {
namespace {

// The IMOS L3S layout at 1 degree: lat 19.5..-69.5 (descending), lon 70.5..189.5.
catalog::Grid imos_like_grid() {
  catalog::Grid g;
  g.lat.name = "lat";
  g.lon.name = "lon";
  for (int i = 0; i < 90; ++i) g.lat.values.push_back(19.5 - i);
  for (int j = 0; j < 120; ++j) g.lon.values.push_back(70.5 + j);
  return g;
}

TEST(QueryInput, LongitudesOfEitherConventionLandOnTheGrid) {
  const auto g = imos_like_grid();
  EXPECT_EQ(grid_longitude(-175, g.lon), 185);
  EXPECT_EQ(grid_longitude(185, g.lon), 185);
  EXPECT_EQ(grid_longitude(115.5, g.lon), 115.5);
  EXPECT_EQ(grid_longitude(115.5 - 360, g.lon), 115.5);
  EXPECT_EQ(grid_longitude(0, g.lon), 0);  // truly outside: unchanged
  catalog::Axis global;
  for (int j = 0; j < 360; ++j) global.values.push_back(-179.5 + j);
  EXPECT_EQ(grid_longitude(185, global), -175);
  EXPECT_EQ(grid_longitude(-175, global), -175);
}

TEST(QueryInput, PointGivenInMinus180To180UsesThePixelOf0To360) {
  const auto g = imos_like_grid();
  const Query a = parse_query({.point = "-20,-175"});
  const Query b = parse_query({.point = "-20,185"});
  const Plan pa = make_plan(a, g), pb = make_plan(b, g);
  ASSERT_EQ(pa.pixels.size(), 1u);
  EXPECT_EQ(pa.pixels[0].col, pb.pixels[0].col);
  EXPECT_EQ(pa.pixels[0].lon, 185.5);  // 185 is a tie between 184.5 and 185.5: pandas' rule
  EXPECT_EQ(pa.pixels[0].lat, pb.pixels[0].lat);
}

TEST(QueryInput, PointTrulyOutsideNamesTheGridExtent) {
  const auto g = imos_like_grid();
  try {
    make_plan(parse_query({.point = "-20,10"}), g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadRequest);
    EXPECT_NE(std::string(e.what()).find("--point -20,10 lies outside the grid; the grid covers "
                                         "lat -69.5..19.5, lon 70.5..189.5"),
              std::string::npos)
        << e.what();
  }
}

TEST(QueryInput, BoxesInEitherConventionAndAcrossTheAntimeridian) {
  const auto g = imos_like_grid();
  // -175..-170 is 185..190: pixels 185.5..189.5.
  Plan p = make_plan(parse_query({.box = "-22,-20,-175,-170"}), g);
  ASSERT_EQ(p.pixels.size(), 2u * 5u);
  EXPECT_EQ(p.pixels.front().lon, 185.5);
  EXPECT_EQ(p.pixels[4].lon, 189.5);
  // 178..-178 crosses the antimeridian: 178..182.
  p = make_plan(parse_query({.box = "-22,-20,178,-178"}), g);
  ASSERT_EQ(p.pixels.size(), 2u * 4u);
  EXPECT_EQ(p.pixels.front().lon, 178.5);
  EXPECT_EQ(p.pixels[3].lon, 181.5);
  // --bbox W,S,E,N is the same box.
  const Plan q = make_plan(parse_query({.bbox = "178,-22,-178,-20"}), g);
  ASSERT_EQ(q.pixels.size(), p.pixels.size());
  for (size_t i = 0; i < q.pixels.size(); ++i) {
    EXPECT_EQ(q.pixels[i].row, p.pixels[i].row);
    EXPECT_EQ(q.pixels[i].col, p.pixels[i].col);
  }
  try {
    make_plan(parse_query({.box = "-21,-20,0,10"}), g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lon 70.5..189.5"), std::string::npos) << e.what();
  }
}

TEST(QueryInput, StationOutsideTheGridIsListedNotFatal) {
  const auto g = imos_like_grid();
  testing::TempDir dir;
  const std::string path = dir.str("st.csv");
  std::ofstream(path) << "id,lat,lon\nIN,-32,115.2\nFAR,50,0\nWRAP,-20,-175\n";
  const Plan p = make_plan(parse_query({.stations = path}), g);
  ASSERT_EQ(p.pixels.size(), 2u);
  EXPECT_EQ(p.pixels[0].id, "IN");
  EXPECT_EQ(p.pixels[1].id, "WRAP");
  EXPECT_EQ(p.pixels[1].site, 2u);
  ASSERT_EQ(p.outside.size(), 1u);
  EXPECT_NE(p.outside[0].find("site 'FAR' (50,0) lies outside the grid"), std::string::npos)
      << p.outside[0];
  // Every station outside: an error.
  std::ofstream(path) << "id,lat,lon\nFAR,50,0\nFAR2,60,0\n";
  EXPECT_THROW(make_plan(parse_query({.stations = path}), g), Error);
}

TEST(QueryInput, QueryTextOptions) {
  EXPECT_EQ(*parse_query({.point = "-32,115", .nearest_valid = "5"}).nearest_valid_km, 5.0);
  for (const char* bad : {"0", "-1", "x", "5km", "2000"}) {
    EXPECT_THROW(parse_query({.point = "-32,115", .nearest_valid = bad}), Error) << bad;
  }
  EXPECT_THROW(parse_query({.box = "-33,-32,115,116", .nearest_valid = "5"}), Error);
  EXPECT_THROW(parse_query({.point = "-32,115", .keep_columns = true}), Error);
  EXPECT_THROW(parse_query({.box = "-33,-32,115,116", .bbox = "115,-33,116,-32"}), Error);
  const Query months = parse_query({.point = "-32,115", .from = "2021-01", .to = "2021-03"});
  EXPECT_EQ(*months.time.from, 1609459200);
  EXPECT_EQ(*months.time.to, 1617235199);
  const Query offset =
      parse_query({.point = "-32,115", .from = "2021-01-01T10:00+10:00", .to = "2021"});
  EXPECT_EQ(*offset.time.from, 1609459200);
  EXPECT_EQ(*offset.time.to, 1640995199);
}

}  // namespace
}  // namespace pixeldrill::drill

#include "server/griddap_query.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace pixeldrill::server {
namespace {

using Kind = AxisBound::Kind;

TEST(GriddapQuery, ParsesValueIndexLastAndStrideForms) {
  const auto r = parse_griddap_query(
      "sst[(2024-01-01T00:00:00Z):1:(last)][10:2:last-3][(-32.5)],quality_level[(2024-01-01T00:00:"
      "00Z):1:(last)][10:2:last-3][(-32.5)]");
  ASSERT_EQ(r.variables.size(), 2u);
  const auto& a = r.variables[0].axes;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].start.kind, Kind::kValue);
  EXPECT_TRUE(a[0].start.is_time_text);
  EXPECT_EQ(a[0].start.value, 1704067200.0);
  EXPECT_EQ(a[0].stop.kind, Kind::kLast);
  EXPECT_TRUE(a[0].stop.in_parentheses);
  EXPECT_EQ(a[1].start.kind, Kind::kIndex);
  EXPECT_EQ(a[1].start.index, 10);
  EXPECT_EQ(a[1].stride, 2);
  EXPECT_EQ(a[1].stop.kind, Kind::kLast);
  EXPECT_EQ(a[1].stop.last_offset, 3);
  EXPECT_EQ(a[2].start.value, -32.5);
  EXPECT_EQ(a[2].stop.value, -32.5);
}

TEST(GriddapQuery, PercentEncodedAsErddapyWritesIt) {
  const auto r = parse_griddap_query(
      "sst%5B(2024-01-01T00%3A00%3A00Z)%3A1%3A(2024-01-03T00%3A00%3A00Z)%5D%5B(-40.0)%3A1%3A(-30.0)"
      "%5D%5B(110.0)%3A1%3A(120.0)%5D");
  ASSERT_EQ(r.variables.size(), 1u);
  EXPECT_EQ(r.variables[0].axes[0].stop.value, 1704240000.0);
  EXPECT_EQ(r.variables[0].axes[1].start.value, -40.0);
}

TEST(GriddapQuery, EmptyQueryAndBareNamesMeanWholeAxes) {
  EXPECT_TRUE(parse_griddap_query("").variables.empty());
  const auto r = parse_griddap_query("sst,quality_level");
  ASSERT_EQ(r.variables.size(), 2u);
  EXPECT_TRUE(r.variables[1].axes.empty());
}

TEST(GriddapQuery, RejectsMalformedConstraintsWithQueryError) {
  for (const char* bad : {"sst[", "sst[1:2:3:4]", "sst[(abc)]", "sst[-1]", "sst[0:0:3]", "sst[(1)",
                          "sst]", "[0]", "sst,,x", "sst%zz", "sst[1.5]", "sst[last-1.5]"}) {
    try {
      parse_griddap_query(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kBadRequest) << bad;
      EXPECT_NE(std::string(e.what()).find("Query error"), std::string::npos) << e.what();
    }
  }
}

drill::DatasetInfo small_info() {
  drill::DatasetInfo info;
  info.grid.lat = {"lat", {20, 19, 18, 17, 16}, true, "degrees_north"};  // descending
  info.grid.lon = {"lon", {100, 101, 102, 103}, true, "degrees_east"};
  info.times = {0, 86400, 172800, 259200};
  drill::DatasetVariable v;
  v.name = "sst";
  info.variables = {v};
  return info;
}

TEST(GriddapQuery, ResolvesNearestValuesLastAndDescendingLatitude) {
  const auto info = small_info();
  auto r = resolve_griddap(
      parse_griddap_query("sst[(1970-01-02T05:00:00Z):1:(last)][(18.4):1:(16.6)][(101.6)]"), info);
  EXPECT_EQ(r.time.first, 1u);
  EXPECT_EQ(r.time.last, 3u);
  EXPECT_EQ(r.lat.first, 2u);
  EXPECT_EQ(r.lat.last, 3u);
  EXPECT_EQ(r.lon.first, 2u);
  // Ascending values on a descending axis (erddapy's [(min):(max)]) select the same pixels.
  r = resolve_griddap(parse_griddap_query("sst[last][(16.6):1:(18.4)][0:2:last]"), info);
  EXPECT_EQ(r.time.first, 3u);
  EXPECT_EQ(r.lat.first, 2u);
  EXPECT_EQ(r.lat.last, 3u);
  EXPECT_EQ(r.lon.first, 0u);
  EXPECT_EQ(r.lon.last, 2u);  // stride 2 from 0 stops at 2, not 3
  EXPECT_EQ(r.lon.count(), 2u);
  r = resolve_griddap(parse_griddap_query("sst[last-2:last][0][0]"), info);
  EXPECT_EQ(r.time.first, 1u);
  r = resolve_griddap(parse_griddap_query("sst[(last-86400)][0][0]"), info);
  EXPECT_EQ(r.time.first, 2u);
}

TEST(GriddapQuery, OutOfRangeAndUnknownVariablesNameTheConstraint) {
  const auto info = small_info();
  auto kind_of = [&](const char* q) {
    try {
      resolve_griddap(parse_griddap_query(q), info);
    } catch (const Error& e) {
      return std::make_pair(e.kind(), std::string(e.what()));
    }
    return std::make_pair(ErrorKind::kInternal, std::string("accepted"));
  };
  auto [k1, m1] = kind_of("sst[0][(30)][0]");
  EXPECT_EQ(k1, ErrorKind::kBadRequest);
  EXPECT_NE(m1.find("axis#1=lat"), std::string::npos) << m1;
  EXPECT_NE(m1.find("[(30)]"), std::string::npos) << m1;
  EXPECT_EQ(kind_of("sst[9][0][0]").first, ErrorKind::kBadRequest);
  EXPECT_EQ(kind_of("sst[3:1][0][0]").first, ErrorKind::kBadRequest);
  EXPECT_EQ(kind_of("sst[0][0]").first, ErrorKind::kBadRequest);
  EXPECT_EQ(kind_of("sst[(1971-01-01)][0][0]").first, ErrorKind::kBadRequest);
  EXPECT_EQ(kind_of("lat[(1971-01-01)]").first, ErrorKind::kBadRequest);
  EXPECT_EQ(kind_of("nope[0][0][0]").first, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace pixeldrill::server

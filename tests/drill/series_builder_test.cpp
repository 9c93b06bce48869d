#include "drill/series_builder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "drill/plan.h"

using namespace pixeldrill;
using namespace pixeldrill::drill;

namespace {

catalog::Grid small_grid() {
  catalog::Grid g;
  g.lat.name = "lat";
  g.lon.name = "lon";
  for (int i = 0; i < 4; ++i) g.lat.values.push_back(-30.0 - i);  // descending
  for (int i = 0; i < 5; ++i) g.lon.values.push_back(110.0 + i);  // ascending
  return g;
}

catalog::Packing sst_packing(double offset) {
  catalog::Packing p;
  p.type = catalog::StorageType::kInt16;
  p.fill_value = -32768;
  p.scale_factor = 0.01;
  p.add_offset = offset;
  return p;
}

catalog::Packing quality_packing() {
  catalog::Packing p;
  p.type = catalog::StorageType::kInt8;
  p.fill_value = -128;
  return p;
}

std::vector<Column> columns() {
  return {{"sea_surface_temperature", "kelvin", "sst", "sea_surface_skin_temperature"},
          {"quality_level", "", "quality", ""}};
}

}  // namespace

TEST(Plan, PointsMapToNearestPixelAndWindowCoversThem) {
  Query q;
  q.sites = {{"a", -31.4, 111.6}, {"b", -33.2, 110.1}};
  const Plan plan = make_plan(q, small_grid());
  ASSERT_EQ(plan.pixels.size(), 2u);
  EXPECT_EQ(plan.pixels[0].row, 1u);
  EXPECT_EQ(plan.pixels[0].col, 2u);
  EXPECT_EQ(plan.pixels[0].lat, -31.0);
  EXPECT_EQ(plan.pixels[0].lon, 112.0);
  EXPECT_EQ(plan.pixels[1].id, "b");
  EXPECT_EQ(plan.row0, 1u);
  EXPECT_EQ(plan.row1, 3u);
  EXPECT_EQ(plan.col0, 0u);
  EXPECT_EQ(plan.col1, 2u);
}

TEST(Plan, PointOutsideGridIsRefusedNamingPointAndExtent) {
  Query q;
  q.sites = {{"", -40.0, 111.0}};
  try {
    make_plan(q, small_grid());
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--point -40,111"), std::string::npos) << m;
    EXPECT_NE(m.find("lat -33..-30"), std::string::npos) << m;
  }
}

TEST(Plan, BoxTakesCentresInsideInLatDescendingLonAscendingOrder) {
  Query q;
  q.box = Box{-32.5, -30.5, 110.5, 112.0};
  const Plan plan = make_plan(q, small_grid());
  ASSERT_EQ(plan.pixels.size(), 4u);
  EXPECT_EQ(plan.pixels[0].lat, -31.0);
  EXPECT_EQ(plan.pixels[0].lon, 111.0);
  EXPECT_EQ(plan.pixels[1].lon, 112.0);
  EXPECT_EQ(plan.pixels[3].lat, -32.0);
  EXPECT_EQ(plan.box_lat, -31.5);
  EXPECT_EQ(plan.box_lon, 111.5);
  q.box = Box{10, 11, 110, 112};
  EXPECT_THROW(make_plan(q, small_grid()), Error);
  q.box = Box{-30, -33, 110, 112};  // S > N
  EXPECT_THROW(make_plan(q, small_grid()), Error);
}

TEST(SeriesBuilder, DecodesWithEachStepsPackingAndOrdersByTime) {
  Query q;
  q.sites = {{"a", -31, 111}, {"b", -32, 112}};
  const Plan plan = make_plan(q, small_grid());
  SeriesBuilder b(q, plan, columns());
  ASSERT_EQ(b.read_variables().size(), 2u);
  b.add_step(200, {{true, sst_packing(290), {100, -32768}}, {true, quality_packing(), {5, -128}}});
  b.add_step(100, {{true, sst_packing(280), {1, 2}}, {false, {}, {}}});
  const Series s = b.finish({}, "test");
  ASSERT_EQ(s.rows.size(), 4u);
  EXPECT_EQ(s.rows[0].time, 100);
  EXPECT_EQ(s.rows[0].site, "a");
  EXPECT_EQ(s.rows[0].values[0], 1 * 0.01 + 280);
  EXPECT_TRUE(std::isnan(s.rows[0].values[1]));  // quality absent in that file
  EXPECT_EQ(s.rows[2].values[0], 100 * 0.01 + 290);
  EXPECT_EQ(s.rows[2].values[1], 5);
  EXPECT_TRUE(std::isnan(s.rows[3].values[0]));
  EXPECT_TRUE(std::isnan(s.rows[3].values[1]));
}

TEST(SeriesBuilder, MinQualityMasksEveryVariableAndReadsQualityWhenNotAsked) {
  Query q;
  q.sites = {{"", -31, 111}};
  q.vars = {"sea_surface_temperature"};
  q.min_quality = 4;
  q.celsius = true;
  const Plan plan = make_plan(q, small_grid());
  SeriesBuilder b(q, plan, {columns()[0]});
  ASSERT_EQ(b.read_variables(),
            (std::vector<std::string>{"sea_surface_temperature", "quality_level"}));
  b.add_step(1, {{true, sst_packing(273.15), {500}}, {true, quality_packing(), {4}}});
  b.add_step(2, {{true, sst_packing(273.15), {500}}, {true, quality_packing(), {3}}});
  b.add_step(3, {{true, sst_packing(273.15), {500}}, {true, quality_packing(), {-128}}});
  const Series s = b.finish({}, "test");
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.columns[0].units, "degree_Celsius");
  EXPECT_EQ(s.rows[0].values.size(), 1u);
  EXPECT_DOUBLE_EQ(s.rows[0].values[0], 5.0);
  EXPECT_TRUE(std::isnan(s.rows[1].values[0]));
  EXPECT_TRUE(std::isnan(s.rows[2].values[0]));
}

TEST(SeriesBuilder, CelsiusLeavesKelvinDifferencesAlone) {
  EXPECT_TRUE(SeriesBuilder::converts_to_celsius({"sst", "kelvin", "", "sea_surface_temperature"}));
  EXPECT_FALSE(SeriesBuilder::converts_to_celsius({"sses_bias", "kelvin", "", ""}));
  EXPECT_FALSE(SeriesBuilder::converts_to_celsius({"x", "1", "", "sea_surface_temperature"}));
}

TEST(SeriesBuilder, BoxReductionsUseValidPixelsOnly) {
  Query q;
  q.box = Box{-32, -31, 111, 112};
  for (Reduce r : {Reduce::kMean, Reduce::kMin, Reduce::kMax, Reduce::kCount}) {
    q.reduce = r;
    const Plan plan = make_plan(q, small_grid());
    ASSERT_EQ(plan.pixels.size(), 4u);
    SeriesBuilder b(q, plan, columns());
    b.add_step(7, {{true, sst_packing(0), {100, 200, -32768, 600}},
                   {true, quality_packing(), {1, 2, -128, 5}}});
    b.add_step(8, {{true, sst_packing(0), {-32768, -32768, -32768, -32768}},
                   {true, quality_packing(), {-128, -128, -128, -128}}});
    const Series s = b.finish({}, "test");
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_EQ(s.rows[0].lat, -31.5);
    EXPECT_EQ(s.rows[0].lon, 111.5);
    const double v = s.rows[0].values[0], empty = s.rows[1].values[0];
    switch (r) {
      case Reduce::kMean:
        EXPECT_DOUBLE_EQ(v, (1.0 + 2.0 + 6.0) / 3);
        EXPECT_TRUE(std::isnan(empty));
        break;
      case Reduce::kMin:
        EXPECT_DOUBLE_EQ(v, 1.0);
        EXPECT_TRUE(std::isnan(empty));
        break;
      case Reduce::kMax:
        EXPECT_DOUBLE_EQ(v, 6.0);
        EXPECT_TRUE(std::isnan(empty));
        break;
      case Reduce::kCount:
        EXPECT_EQ(v, 3.0);
        EXPECT_EQ(empty, 0.0);
        break;
      default:
        break;
    }
  }
}

TEST(SeriesBuilder, TimeRangeDropsStepsOutside) {
  Query q;
  q.sites = {{"", -31, 111}};
  q.time.from = 10;
  q.time.to = 20;
  const Plan plan = make_plan(q, small_grid());
  SeriesBuilder b(q, plan, columns());
  for (int64_t t : {5, 10, 20, 21}) {
    b.add_step(t, {{true, sst_packing(0), {1}}, {true, quality_packing(), {3}}});
  }
  const Series s = b.finish({}, "test");
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.rows[0].time, 10);
  EXPECT_EQ(s.rows[1].time, 20);
}

// Issue #9: a store hands its steps over column-wise in one call. The rows must
// be those of the same steps added one at a time, in every case the one-step
// path orders: batches out of order, equal times told apart by `order`, steps
// outside the time range, a batch without a variable.
TEST(SeriesBuilder, ColumnWiseStepsGiveTheRowsOfSingleSteps) {
  Query q;
  q.sites = {{"a", -31, 111}, {"b", -32, 112}};
  q.time.to = 400;
  const Plan plan = make_plan(q, small_grid());
  // Two batches of three steps (two pixels each): the second comes first in
  // time, and its step at 200 ties with the first batch's (order breaks it).
  const std::vector<int64_t> t1 = {200, 300, 500}, t2 = {50, 100, 200};
  const std::vector<uint64_t> o1 = {7, 8, 9}, o2 = {1, 2, 3};
  const std::vector<double> sst1 = {1, 2, 3, -32768, 5, 6}, sst2 = {10, 20, 30, 40, 50, 60};
  const std::vector<double> q1 = {5, 4, 3, 2, 1, 0};

  SeriesBuilder columns_wise(q, plan, columns());
  columns_wise.add_steps(
      t1, o1,
      std::vector<StoredColumn>{{true, sst_packing(290), sst1}, {true, quality_packing(), q1}});
  columns_wise.add_steps(
      t2, o2, std::vector<StoredColumn>{{true, sst_packing(280), sst2}, {false, {}, {}}});
  SeriesBuilder one_by_one(q, plan, columns());
  for (size_t k = 0; k < 3; ++k) {
    one_by_one.add_step(t1[k],
                        {{true, sst_packing(290), {sst1[2 * k], sst1[2 * k + 1]}},
                         {true, quality_packing(), {q1[2 * k], q1[2 * k + 1]}}},
                        o1[k]);
    one_by_one.add_step(t2[k], {{true, sst_packing(280), {sst2[2 * k], sst2[2 * k + 1]}}, {}},
                        o2[k]);
  }
  const Series a = columns_wise.finish({}, "store"), b = one_by_one.finish({}, "store");
  ASSERT_EQ(a.rows.size(), 10u);  // the step at 500 is outside --to
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].time, b.rows[i].time) << i;
    EXPECT_EQ(a.rows[i].site, b.rows[i].site) << i;
    ASSERT_EQ(a.rows[i].values.size(), 2u);
    for (size_t v = 0; v < 2; ++v) {
      const double x = a.rows[i].values[v], y = b.rows[i].values[v];
      EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << i << " " << v;
    }
  }
  // (time, order): 50, 100, 200 (order 3, second batch), 200 (order 7), 300.
  const std::vector<int64_t> times = {50, 50, 100, 100, 200, 200, 200, 200, 300, 300};
  for (size_t i = 0; i < times.size(); ++i) EXPECT_EQ(a.rows[i].time, times[i]) << i;
  EXPECT_EQ(a.rows[4].values[0], 50 * 0.01 + 280);
  EXPECT_TRUE(std::isnan(a.rows[4].values[1]));
  EXPECT_EQ(a.rows[6].values[0], 1 * 0.01 + 290);
  EXPECT_EQ(a.rows[6].values[1], 5);
  EXPECT_TRUE(std::isnan(a.rows[9].values[0]));  // fill
  EXPECT_EQ(a.columns[0].digits, Digits::kQuantum);
  EXPECT_EQ(a.columns[1].digits, Digits::kInteger);
}

// Drills answered a block of time steps at a time (drill/block_drill.h) give
// what one whole drill gives: the same rows, columns (digits), problems and
// notes through the API, and the same bytes through the CLI, on every
// backend and text format, with --aggregate, --nearest-valid, --keep-columns,
// stations on land ("no valid value") and a station outside the grid.
#include "drill/block_drill.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "drill/dataset.h"
#include "drill/query_text.h"
#include "drill_test_util.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace pixeldrill::testing {
namespace {

using drill::Series;

TEST(BlockPlan, BlocksHoldAtMostTheBudgetAndNeverSplitAGroupOrAChunk) {
  const std::vector<int64_t> t = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  using Blocks = std::vector<std::pair<size_t, size_t>>;
  EXPECT_EQ(drill::plan_blocks(t, 3, {}, {}), (Blocks{{0, 3}, {3, 6}, {6, 9}, {9, 10}}));
  EXPECT_EQ(drill::plan_blocks(t, 100, {}, {}), (Blocks{{0, 10}}));
  EXPECT_EQ(drill::plan_blocks(t, 0, {}, {}).size(), 10u);
  // Groups of 4 (aggregate periods) longer than a block: one group a block.
  const auto by4 = [](int64_t x) { return x / 4; };
  EXPECT_EQ(drill::plan_blocks(t, 3, by4, {}), (Blocks{{0, 4}, {4, 8}, {8, 10}}));
  // Groups of 2 in blocks of 5: as many whole groups as fit.
  const auto by2 = [](int64_t x) { return x / 2; };
  EXPECT_EQ(drill::plan_blocks(t, 5, by2, {}), (Blocks{{0, 4}, {4, 8}, {8, 10}}));
  // Time chunks of 3 steps in blocks of 7: blocks end where chunks do.
  const auto chunk3 = [](size_t k) { return k / 3; };
  EXPECT_EQ(drill::plan_blocks(t, 7, {}, chunk3), (Blocks{{0, 6}, {6, 10}}));
  EXPECT_EQ(drill::plan_blocks({}, 3, {}, {}), Blocks{});
}

class BlockDrill : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    const std::string c = tmp_->str("coll");
    ok_ = make_era_collection(c) &&
          run(pixeldrill() + " index " + c + " -o " + tmp_->str("c.pdx") + " 2>/dev/null").status ==
              0 &&
          run(pixeldrill() + " convert " + c + " -o " + tmp_->str("c.zarr") +
              " --chunks 3,32,32 -q --vars sea_surface_temperature,quality_level,l2p_flags,"
              "sses_bias 2>/dev/null")
                  .status == 0;
    // 40 stations over the grid (some on land), one outside it, with an extra column.
    std::ofstream out(tmp_->str("st.csv"));
    out << "id,lat,lon,depth\n";
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> lat(-65, 15), lon(75, 185);
    for (int i = 0; i < 40; ++i)
      out << "S" << i << "," << lat(rng) << "," << lon(rng) << "," << i << "\n";
    out << "FAR,45,100,9\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

 protected:
  void SetUp() override { ASSERT_TRUE(ok_); }
  static std::vector<std::string> sources() {
    return {tmp_->str("coll"), tmp_->str("c.pdx"), tmp_->str("c.zarr")};
  }
  static inline TempDir* tmp_ = nullptr;
  static inline bool ok_ = false;
};

void expect_same_series(const Series& a, const Series& b, const std::string& what) {
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (size_t c = 0; c < a.columns.size(); ++c) {
    EXPECT_EQ(a.columns[c].name, b.columns[c].name) << what;
    EXPECT_EQ(a.columns[c].digits, b.columns[c].digits) << what << " " << a.columns[c].name;
    EXPECT_EQ(a.columns[c].quantum, b.columns[c].quantum) << what << " " << a.columns[c].name;
  }
  ASSERT_EQ(a.rows.size(), b.rows.size()) << what;
  for (size_t i = 0; i < a.rows.size(); ++i) {
    const auto &x = a.rows[i], &y = b.rows[i];
    ASSERT_EQ(x.time, y.time) << what << " row " << i;
    ASSERT_EQ(x.site, y.site) << what << " row " << i;
    ASSERT_EQ(x.lat, y.lat) << what << " row " << i;
    ASSERT_EQ(x.lon, y.lon) << what << " row " << i;
    ASSERT_EQ(x.values.size(), y.values.size()) << what << " row " << i;
    for (size_t v = 0; v < x.values.size(); ++v) {
      ASSERT_EQ(std::isnan(x.values[v]), std::isnan(y.values[v])) << what << " row " << i;
      if (!std::isnan(x.values[v])) {
        ASSERT_EQ(x.values[v], y.values[v]) << what << " row " << i;
      }
    }
  }
  EXPECT_EQ(a.problems, b.problems) << what;
  EXPECT_EQ(a.notes, b.notes) << what;
  EXPECT_EQ(a.source, b.source) << what;
  EXPECT_EQ(a.site_columns, b.site_columns) << what;
  EXPECT_EQ(a.site_values, b.site_values) << what;
}

TEST_F(BlockDrill, BlocksGiveTheSameSeriesAsOneDrillOnEveryBackend) {
  const std::string st = tmp_->str("st.csv");
  const std::vector<drill::QueryText> table = {
      {.stations = st},
      {.stations = st, .vars = "sea_surface_temperature,l2p_flags,sses_bias", .celsius = true},
      {.stations = st, .min_quality = 4, .keep_columns = true},
      {.stations = st, .nearest_valid = "60"},
      {.box = "-41,-38,99,102"},
      {.stations = st, .from = "2016-01-01", .to = "2019-12-31"},
  };
  for (const auto& source : sources()) {
    const auto dataset = drill::open_dataset(source);
    for (size_t q = 0; q < table.size(); ++q) {
      const drill::Query query = drill::parse_query(table[q]);
      const std::string what = source + " query " + std::to_string(q);
      const Series whole = dataset->drill(query);
      for (const size_t budget : {1ul, 45ul, 130ul}) {
        Series got;
        size_t blocks = 0;
        const Series summary = drill::drill_in_blocks(
            *dataset, query, {.block_rows = budget},
            {.begin = [&](const Series& head, const std::vector<int64_t>&) { got = head; },
             .rows =
                 [&](Series&& block) {
                   ++blocks;
                   EXPECT_EQ(block.columns.size(), got.columns.size()) << what;
                   got.rows.insert(got.rows.end(), block.rows.begin(), block.rows.end());
                 }});
        // More rows than the budget: several blocks.
        if (whole.rows.size() > budget) {
          EXPECT_GT(blocks, 1u) << what << " budget " << budget;
        }
        got.problems = summary.problems;
        got.notes = summary.notes;
        got.source = summary.source;
        expect_same_series(whole, got, what + " budget " + std::to_string(budget));
      }
    }
  }
}

struct Output {
  int status;
  std::string out, err;
};

Output drill_with_budget(const std::string& args, const std::string& budget, const TempDir& tmp,
                         const std::string& env = "") {
  const std::string err = tmp.str("err.txt");
  auto r = run(env + drill::kBlockRowsVariable + "=" + budget + " " + pixeldrill() + " drill " +
               args + " 2>" + err);
  return {r.status, r.out, read_text(err)};
}

TEST_F(BlockDrill, StreamedOutputIsByteIdenticalOnEveryBackendAndFormat) {
  const std::string st = tmp_->str("st.csv");
  const std::vector<std::string> queries = {
      "--stations " + st,
      "--stations " + st + " --keep-columns --min-quality 3 --units-row",
      "--stations " + st + " --nearest-valid 60 --celsius",
      "--stations " + st + " --aggregate month --stats mean,count",
      "--stations " + st + " --aggregate season",
      "--box -41,-38,99,102 --vars sea_surface_temperature,l2p_flags --precision full",
  };
  for (const auto& source : sources()) {
    for (const auto& q : queries) {
      for (const std::string format : {"csv", "json", "erddap-json"}) {
        const std::string args = source + " " + q + " --format " + format;
        const Output whole = drill_with_budget(args, "100000000", *tmp_);
        // FAR is outside the grid: partial (3); the box is whole (0).
        ASSERT_EQ(whole.status, q.starts_with("--box") ? 0 : 3) << args << whole.err;
        ASSERT_GT(whole.out.size(), 100u) << args;
        for (const std::string budget : {"1", "45", "130"}) {
          const Output blocks = drill_with_budget(args, budget, *tmp_);
          EXPECT_EQ(blocks.status, whole.status) << args << " budget " << budget;
          EXPECT_EQ(blocks.out, whole.out) << args << " budget " << budget;
          EXPECT_EQ(blocks.err, whole.err) << args << " budget " << budget;
        }
        // The same bytes through -o FILE.
        const std::string file = tmp_->str("out." + format);
        const Output to_file = drill_with_budget(args + " -o " + file, "45", *tmp_);
        EXPECT_EQ(to_file.status, whole.status) << args;
        EXPECT_EQ(read_text(file), whole.out) << args;
      }
    }
  }
}

// NetCDF: the time axis is sized first, blocks go in as hyperslabs and the
// problems and notes are added last; ncdump shows the same file.
TEST_F(BlockDrill, StreamedNetcdfIsTheSameFileOnEveryBackend) {
  const std::string st = tmp_->str("st.csv");
  const std::vector<std::string> queries = {
      "--stations " + st + " --keep-columns",
      "--stations " + st + " --aggregate month --stats mean,count",
      "--box -41,-38,99,102 --vars sea_surface_temperature,l2p_flags",
  };
  for (const auto& source : sources()) {
    for (const auto& q : queries) {
      std::vector<std::string> dumps;
      for (const std::string budget : {"100000000", "1", "45"}) {
        const std::string file = tmp_->str("out.nc");  // history names it
        const Output r = drill_with_budget(source + " " + q + " --format netcdf -o " + file, budget,
                                           *tmp_, "SOURCE_DATE_EPOCH=0 ");
        EXPECT_EQ(r.status, q.find("--box") == 0 ? 0 : 3) << q << r.err;
        // The file name is in ncdump's first line.
        std::string dump = run("ncdump " + file + " | tail -n +2").out;
        ASSERT_GT(dump.size(), 500u) << q;
        dumps.push_back(dump);
      }
      EXPECT_EQ(dumps[1], dumps[0]) << source << " " << q;
      EXPECT_EQ(dumps[2], dumps[0]) << source << " " << q;
    }
  }
}

TEST_F(BlockDrill, BadBudgetIsNamed) {
  const Output r =
      drill_with_budget(sources()[0] + " --stations " + tmp_->str("st.csv"), "0x5", *tmp_);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(drill::kBlockRowsVariable), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pixeldrill::testing

namespace pixeldrill::testing {
namespace {

// -o /dev/null once put a regular file in place of the device (temporary +
// rename): a device or FIFO is written in place; NetCDF, which needs a real
// file, refuses to replace one. Checked on a FIFO, not on /dev/null.
TEST_F(BlockDrill, OutputToAFifoIsWrittenInPlaceNeverReplaced) {
  const std::string fifo = tmp_->str("pipe");
  ASSERT_EQ(run("mkfifo " + fifo).status, 0);
  const std::string args = sources()[2] + " --stations " + tmp_->str("st.csv");
  const Output whole = drill_with_budget(args, "45", *tmp_);
  const std::string got = tmp_->str("from-pipe.csv");
  const auto r = run("(timeout 30 cat " + fifo + " > " + got + " &) ; " +
                     std::string(drill::kBlockRowsVariable) + "=45 " + pixeldrill() + " drill " +
                     args + " -o " + fifo + " 2>/dev/null; echo $?");
  EXPECT_EQ(r.out, "3\n");
  EXPECT_EQ(run("sleep 0.2; test -p " + fifo).status, 0) << "the FIFO was replaced";
  EXPECT_EQ(read_text(got), whole.out);
  const Output nc = drill_with_budget(args + " --format netcdf -o " + fifo, "45", *tmp_);
  EXPECT_EQ(nc.status, 1) << nc.err;
  EXPECT_NE(nc.err.find("not a regular file"), std::string::npos) << nc.err;
  EXPECT_EQ(run("test -p " + fifo).status, 0) << "the FIFO was replaced";
  EXPECT_EQ(run("ls " + tmp_->path().string() + " | grep -c tmp-").out, "0\n");
}

}  // namespace
}  // namespace pixeldrill::testing

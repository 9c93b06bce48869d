// `mpirun -np N pixeldrill drill` streams a table block by block as one
// process does (drill::drill_in_blocks_across): with a small
// PIXELDRILL_DRILL_BLOCK_ROWS, so that a drill takes several blocks, every
// block split across the ranks by sites (more sites than ranks) or by time
// (fewer), the CSV, JSON and NetCDF bytes are those of one process on the
// folder, the index and the store, --aggregate periods included; rank 0 hands
// the writer block after block, never the whole table; an error on one rank
// mid-stream stops every rank, naming it, and leaves no output file.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "drill/block_drill.h"
#include "mpi_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

class MpiStream : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = start_mpi_suite("pixeldrill-mpi-stream");
    if (!tmp_) return;
    // 14 days over two months, 90 x 120 pixels; a store of 4-day time chunks.
    ok_ = run(pixeldrill_bin() + " synth " + tmp_->str("coll") +
              " --from 2019-12-25 --to 2020-01-07 --decimate 50 --seed 3 --no-gaps -q")
                  .status == 0 &&
          run(pixeldrill_bin() + " index " + tmp_->str("coll") + " -o " + tmp_->str("c.pdx") +
              " 2>/dev/null")
                  .status == 0 &&
          run(pixeldrill_bin() + " convert " + tmp_->str("coll") + " -o " + tmp_->str("s.zarr") +
              " -q --chunks 4,32,32")
                  .status == 0;
    // 7 stations (more than 3 ranks; two on one pixel, one on land) and 2 (fewer).
    std::ofstream(tmp_->str("seven.csv"))
        << "id,lat,lon\nS0,-32,115\nS1,-20,150\nS2,-40,140\nS3,-10,120\nS4,-55,160\n"
           "S5,-32,115\nS6,5,100\n";
    std::ofstream(tmp_->str("two.csv")) << "id,lat,lon\nA,-20,150\nB,-40,140\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override {
    PIXELDRILL_REQUIRE_MPI();
    ASSERT_TRUE(ok_) << "could not make the collection, index and store";
  }
  static std::vector<std::string> sources() {
    return {tmp_->str("coll"), tmp_->str("c.pdx"), tmp_->str("s.zarr")};
  }

  struct Output {
    int status = 0;
    std::string out, said;    // stdout; pixeldrill's own stderr lines (not mpirun's)
    std::string stderr_text;  // all of it (mpirun's and sanitizers' too), for failures
    size_t blocks = 0, largest = 0, total = 0;  // PIXELDRILL_STATS=1's "blocks:" line
  };
  // `pixeldrill drill ARGS` on N ranks (0: no mpirun), in `dir` (the NetCDF
  // history holds the command, -o too), with blocks of `budget` rows.
  static Output drill(int ranks, const std::string& args, const std::string& budget,
                      const std::string& dir = "") {
    const std::string err = tmp_->str("err-" + std::to_string(ranks) + ".txt");
    const std::string env = "PIXELDRILL_STATS=1 PIXELDRILL_PROGRESS=0 " +
                            std::string(drill::kBlockRowsVariable) + "=" + budget;
    const auto r = run((dir.empty() ? "" : "cd " + dir + " && ") +
                       mpi_command(ranks, "drill " + args, env) + " 2>" + err);
    Output o;
    o.status = r.status;
    o.out = r.out;
    o.stderr_text = read_text(err);
    std::istringstream lines(o.stderr_text);
    const std::regex stats(R"(blocks: (\d+) written, the largest (\d+) of (\d+) rows)");
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, m, stats)) {
        o.blocks = std::stoul(m[1]);
        o.largest = std::stoul(m[2]);
        o.total = std::stoul(m[3]);
      } else if (line.starts_with("pixeldrill drill: ")) {
        o.said += line + "\n";
      }
    }
    return o;
  }

  // `args` on 2 and 3 ranks (and on 1 with `one_rank`) give what one process
  // gave: the same bytes, messages and blocks handed to the writer.
  static void expect_as_one(const std::string& args, const std::string& budget, const Output& one,
                            bool one_rank) {
    for (int n : {1, 2, 3}) {
      if (n == 1 && !one_rank) continue;
      SCOPED_TRACE(args + ", " + std::to_string(n) + " ranks");
      const Output many = drill(n, args, budget);
      EXPECT_EQ(many.status, one.status) << many.stderr_text;
      EXPECT_EQ(many.out, one.out);
      EXPECT_EQ(many.said, one.said);
      EXPECT_EQ(many.blocks, one.blocks);
      EXPECT_EQ(many.total, one.total);
      // Rank 0 handed the writer blocks, never the whole table.
      EXPECT_LT(many.largest, many.total);
    }
  }

  static inline TempDir* tmp_ = nullptr;
  static inline bool ok_ = false;
};

TEST_F(MpiStream, TablesAreByteIdenticalBlockByBlockOnEveryBackend) {
  const std::string seven = " --stations " + tmp_->str("seven.csv");
  const std::string two = " --stations " + tmp_->str("two.csv");
  // Blocks of 4 rows: 7 stations a step at a time (split by sites); one
  // point 4 steps at a time, the last 2 (fewer steps than 3 ranks: rank 0
  // drills that block); 2 stations 2 steps at a time; a box's 9 pixels.
  const std::vector<std::string> queries = {
      seven, seven + " --vars sea_surface_temperature,quality_level --celsius", " --point -20,150",
      two, " --box -41,-38,99,102"};
  for (const auto& source : sources()) {
    for (const auto& q : queries) {
      for (const std::string format : {"csv", "json"}) {
        const std::string args = source + q + " --format " + format;
        const Output one = drill(0, args, "4");
        ASSERT_EQ(one.status, 0) << args << one.said;
        ASSERT_GT(one.out.size(), 200u) << args;
        ASSERT_GT(one.blocks, 2u) << args;
        expect_as_one(args, "4", one, true);
      }
    }
  }
}

TEST_F(MpiStream, AggregatesAreByteIdenticalAndNeverSplitAPeriod) {
  const std::string seven = " --stations " + tmp_->str("seven.csv");
  // Budget 7 rows: a step of 7 stations a block, but a month (Dec 25..31, Jan
  // 1..7) is never split: 2 blocks; a week of one point: 3 (or 2 blocks on
  // the store, whose blocks end where its time chunks do).
  const std::vector<std::string> queries = {seven + " --aggregate month --stats mean,count",
                                            " --point -20,150 --aggregate week"};
  for (const auto& source : sources()) {
    for (const auto& q : queries) {
      for (const std::string format : {"csv", "json", "erddap-json"}) {
        const std::string args = source + q + " --format " + format;
        const Output one = drill(0, args, "7");
        ASSERT_EQ(one.status, 0) << args << one.said;
        ASSERT_GE(one.blocks, 2u) << args;
        // The same rows as one whole drill.
        EXPECT_EQ(drill(0, args, "100000000").out, one.out) << args;
        expect_as_one(args, "7", one, false);
      }
    }
  }
}

// The NetCDF stream (time axis sized first, hyperslabs, attributes last) is
// the same file as ncdump reads it, whatever the number of ranks.
TEST_F(MpiStream, NetcdfIsTheSameFileBlockByBlockOnEveryBackend) {
  const std::vector<std::string> queries = {
      " --stations " + tmp_->str("seven.csv") + " --keep-columns", " --point -20,150",
      " --stations " + tmp_->str("seven.csv") + " --aggregate month --stats mean,count"};
  for (const auto& source : sources()) {
    for (size_t q = 0; q < queries.size(); ++q) {
      std::string first;
      for (int n : {0, 1, 2, 3}) {
        SCOPED_TRACE(source + queries[q] + ", " + std::to_string(n) + " ranks");
        const std::string dir = tmp_->str("nc-" + std::to_string(q) + "-" + std::to_string(n));
        fs::create_directories(dir);
        const Output r = drill(n, source + queries[q] + " -o series.nc", "4", dir);
        EXPECT_EQ(r.status, 0) << r.said;
        EXPECT_GE(r.blocks, 2u);
        // ncdump's first line names the file's folder.
        const std::string dump = run("ncdump " + dir + "/series.nc | tail -n +2").out;
        ASSERT_GT(dump.size(), 500u);
        if (n == 0) {
          first = dump;
        } else {
          EXPECT_EQ(dump, first);
        }
      }
    }
  }
}

// A store chunk only rank 1's stations read is altered: the drill fails on
// that rank in a block after the first, once the writer has begun; every
// rank stops with one message naming rank 1 and the chunk, the status one
// process gives (1), and the output file is not left behind.
TEST_F(MpiStream, AnErrorOnOneRankMidStreamStopsEveryRank) {
  TempDir out;
  const std::string store = out.str("s.zarr");
  fs::copy(tmp_->str("s.zarr"), store, fs::copy_options::recursive);
  // S4 (-55, 160) is the only station in spatial chunk (2, 2); its second
  // time chunk (days 5..8) is altered, so the first blocks go through.
  const fs::path chunk = fs::path(store) / "sea_surface_temperature" / "1.2.2";
  ASSERT_TRUE(fs::exists(chunk));
  {
    std::fstream f(chunk, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(chunk) / 2));
    f.put('\x5a');
  }
  const std::string args =
      store + " --stations " + tmp_->str("seven.csv") + " -o " + out.str("series.csv");
  const Output one = drill(0, args, "7");
  ASSERT_EQ(one.status, 1) << one.said;
  ASSERT_NE(one.said.find("sea_surface_temperature/1.2.2"), std::string::npos) << one.said;
  for (int n : {2, 3}) {
    SCOPED_TRACE(std::to_string(n) + " ranks");
    const Output many = drill(n, args, "7");
    EXPECT_EQ(many.status, 1) << many.said;  // not 124: nobody waited forever
    // Stations 4 + 3 on 2 ranks, 3 + 2 + 2 on 3: S4 is rank 1's.
    const std::string said = "pixeldrill drill: error: rank 1 of " + std::to_string(n) + ": ";
    const size_t at = many.said.find(said);
    ASSERT_NE(at, std::string::npos) << many.said;
    EXPECT_NE(many.said.find("sea_surface_temperature/1.2.2", at), std::string::npos) << many.said;
    EXPECT_EQ(many.said.find("error: rank", at + said.size()), std::string::npos) << many.said;
    EXPECT_FALSE(fs::exists(out.str("series.csv")));
  }
  std::string left;
  for (const auto& e : fs::directory_iterator(out.path())) left += e.path().filename().string();
  EXPECT_EQ(left, "s.zarr");  // no temporary file either
}

}  // namespace
}  // namespace pixeldrill::testing

// `mpirun -np N pixeldrill convert` of a collection that fits one time block
// (a one-year convert): the ranks share the block by spatial chunk rows and
// write the same store as one process; a rank killed mid-block leaves a store
// the same command (or another N, or one process) finishes identically.
#include <gtest/gtest.h>

#include <cstdlib>

#include "mpi_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

class MpiConvertParts : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    if (!mpi_unavailable().empty()) return;
    ::setenv("SOURCE_DATE_EPOCH", "1764633600", 1);
    tmp_ = new TempDir("pixeldrill-mpi-parts");
    // 14 days, 90 x 120: with the default one-year time chunk, one block;
    // chunks of 16 x 32 pixels make 6 chunk rows (the last 10 pixels tall).
    const auto r = run(pixeldrill_bin() + " synth " + coll() +
                       " --from 2019-12-25 --to 2020-01-07 --decimate 50 --seed 3 --no-gaps -q");
    ASSERT_EQ(r.status, 0);
    const auto one = run(mpi_command(0, convert_args(store("one"))));
    ASSERT_EQ(one.status, 0);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static std::string coll() { return tmp_->str("coll"); }
  static std::string store(const std::string& name) { return tmp_->str(name); }
  static std::string convert_args(const std::string& out) {
    return "convert " + coll() + " -o " + out + " -q --chunks 1y,16,32";
  }
  static std::string crash(int after_chunks, int rank) {
    return "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=" + std::to_string(after_chunks) +
           " PIXELDRILL_TEST_CRASH_RANK=" + std::to_string(rank);
  }

  static inline TempDir* tmp_ = nullptr;
};

TEST_F(MpiConvertParts, OneBlockSharedByRanksIsByteIdentical) {
  PIXELDRILL_REQUIRE_MPI();
  const auto one = tree_bytes(store("one"));
  // One time block: every chunk file of the data variables is in time chunk 0.
  size_t sst_chunks = 0;
  for (const auto& [path, bytes] : one) {
    if (!path.starts_with("sea_surface_temperature/") || path.ends_with("/.zarray") ||
        path.ends_with("/.zattrs")) {
      continue;
    }
    EXPECT_TRUE(path.starts_with("sea_surface_temperature/0.")) << path;
    ++sst_chunks;
  }
  ASSERT_GT(sst_chunks, 6u);
  for (int n : {2, 3}) {
    const std::string out = store("n" + std::to_string(n));
    const auto r = run(mpi_command(n, convert_args(out)) + " 2>&1");
    ASSERT_EQ(r.status, 0) << n << " ranks: " << r.out;
    // The chunk manifest rows (committed by rank 0 from every rank's
    // records) included, and no marker or .pending left behind.
    EXPECT_EQ(tree_bytes(out), one) << n << " ranks";
  }
}

// A block that does not fit --max-mem is taken in sub-blocks spooled to
// scratch files; each rank spools and merges its own rows.
TEST_F(MpiConvertParts, SpooledSubBlocksOfASharedBlockAreByteIdentical) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  // Just above the fixed budget (48 MiB of headroom, chunk buffers): a few
  // steps per sub-block. The summary line says so.
  const std::string tight = " --max-mem 50.2M --threads 1";
  const auto one = run(
      mpi_command(0, "convert " + coll() + " -o " + out.str("one") + " --chunks 1y,16,32" + tight) +
      " 2>&1");
  ASSERT_EQ(one.status, 0) << one.out;
  ASSERT_NE(one.out.find("spool partial chunks"), std::string::npos) << one.out;
  for (int n : {2, 3}) {
    const std::string store = out.str("n" + std::to_string(n));
    const auto r = run(mpi_command(n, convert_args(store) + tight) + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(tree_bytes(store), tree_bytes(out.str("one"))) << n << " ranks";
  }
}

TEST_F(MpiConvertParts, ARankKilledMidBlockThenRerunGivesTheSameStore) {
  PIXELDRILL_REQUIRE_MPI();
  const auto one = tree_bytes(store("one"));
  TempDir out;
  // Rank 1 of 2 dies (as by kill -9) after its 3rd chunk file, inside the
  // only block: with whole blocks per rank it had no chunk to write at all.
  const std::string killed = out.str("killed");
  const auto k = run(mpi_command(2, convert_args(killed), crash(3, 1)) + " 2>&1");
  ASSERT_NE(k.status, 0) << k.out;
  ASSERT_NE(k.status, 124) << "mpirun hung after a rank died";
  EXPECT_NE(tree_bytes(killed), one);
  // Rows a rank finished before mpirun stopped the job are marked and kept
  // by the rerun (their manifest records come from the marker); the others
  // are written again, and rank 0 commits the manifest rows from both.
  const auto again = run(mpi_command(2, convert_args(killed)) + " 2>&1");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(tree_bytes(killed), one);
  EXPECT_FALSE(fs::exists(fs::path(killed) / ".pixeldrill/blocks"));

  // Killed under 3 ranks, finished under 2 (other parts: the markers do not
  // match, those rows are written again) and under one process.
  for (int rerun : {2, 0}) {
    SCOPED_TRACE(rerun);
    const std::string other = out.str("killed3-" + std::to_string(rerun));
    const auto k3 = run(mpi_command(3, convert_args(other), crash(2, 2)) + " 2>&1");
    ASSERT_NE(k3.status, 0) << k3.out;
    ASSERT_NE(k3.status, 124) << "mpirun hung after a rank died";
    const auto r = run(mpi_command(rerun, convert_args(other)) + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(tree_bytes(other), one);
  }
}

}  // namespace
}  // namespace pixeldrill::testing

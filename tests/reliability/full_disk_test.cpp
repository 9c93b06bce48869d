// A full disk is an error naming the target (exit 1), never a short file or a
// crash, and no temporary file is left behind. The disk is a tmpfs of a few
// KiB mounted in a private mount namespace (unshare), or /dev/full for stdout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;

namespace {

class FullDisk : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("pixeldrill-fulldisk");
    ok_ = make_era_collection(*dir_ / "coll");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(ok_);
    std::filesystem::create_directories(*dir_ / "mnt");
    const std::string probe = "unshare -rm sh -c 'mount -t tmpfs -o size=32k tmpfs " +
                              (*dir_ / "mnt") + "' >/dev/null 2>&1";
    mount_namespaces_ = run(probe).status == 0;
  }

  // Runs `command` (which writes into $MNT) with a 32 KiB tmpfs mounted at
  // $MNT; afterwards lists what is left there into `left_`.
  CommandResult run_on_full_disk(const std::string& command, const std::string& size = "32k") {
    const std::string mnt = *dir_ / "mnt";
    const std::string script = "mount -t tmpfs -o size=" + size + " tmpfs " + mnt +
                               " && MNT=" + mnt + "; export MNT; " + command + " 2>" +
                               (*dir_ / "err.txt") + "; s=$?; ls -A " + mnt + " > " +
                               (*dir_ / "left.txt") + "; exit $s";
    auto r = run("unshare -rm sh -c '" + script + "'");
    err_ = read_text(*dir_ / "err.txt");
    left_ = read_text(*dir_ / "left.txt");
    return r;
  }
  std::string drill(const std::string& args) const {
    return pixeldrill_bin() + " drill " + (*dir_ / "coll") + " --box -70,20,70,190 " + args;
  }
  void expect_clean_failure(const CommandResult& r, const std::string& target,
                            const std::string& expected_files = "") {
    EXPECT_EQ(r.status, 1) << err_;  // 1, not a crash (-1) and not 0
    EXPECT_NE(err_.find(target), std::string::npos) << err_;
    EXPECT_NE(err_.find("No space left on device"), std::string::npos) << err_;
    EXPECT_EQ(left_, expected_files) << "left behind on the full disk";
  }

  static TempDir* dir_;
  static bool ok_;
  bool mount_namespaces_ = false;
  std::string err_, left_;
};
TempDir* FullDisk::dir_ = nullptr;
bool FullDisk::ok_ = false;

}  // namespace

TEST_F(FullDisk, NetcdfOutputFailsNamingTheFileWithoutCrashing) {
  if (!mount_namespaces_) GTEST_SKIP() << "unshare cannot mount a tmpfs here";
  const auto r = run_on_full_disk(drill("--format netcdf -o $MNT/out.nc"));
  expect_clean_failure(r, "/out.nc");
}

TEST_F(FullDisk, CsvAndJsonFilesFailNamingTheFile) {
  if (!mount_namespaces_) GTEST_SKIP() << "unshare cannot mount a tmpfs here";
  auto r = run_on_full_disk(drill("-o $MNT/out.csv"));
  expect_clean_failure(r, "/out.csv");
  r = run_on_full_disk(drill("--format json -o $MNT/out.json"));
  expect_clean_failure(r, "/out.json");
}

TEST_F(FullDisk, StdoutRedirectedToAFullDiskIsAnError) {
  if (!mount_namespaces_) GTEST_SKIP() << "unshare cannot mount a tmpfs here";
  // The shell creates out.csv before pixeldrill starts: it stays, cut short,
  // but the exit status says so.
  const auto r = run_on_full_disk(drill("> $MNT/out.csv"));
  expect_clean_failure(r, "standard output", "out.csv\n");
}

TEST_F(FullDisk, RefsLeaveNoTemporaryFile) {
  if (!mount_namespaces_) GTEST_SKIP() << "unshare cannot mount a tmpfs here";
  const auto r = run_on_full_disk(
      pixeldrill_bin() + " refs " + (*dir_ / "coll") + " --combined -o $MNT/refs.json", "4k");
  EXPECT_EQ(r.status, 1) << err_;
  EXPECT_NE(err_.find("refs"), std::string::npos) << err_;
  EXPECT_EQ(left_, "");
}

TEST_F(FullDisk, DevFullOnStdoutIsAnErrorForDrillAndInfo) {
  const std::string err = *dir_ / "err.txt";
  auto r = run(drill("> /dev/full 2>" + err));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(read_text(err).find("standard output"), std::string::npos) << read_text(err);
  r = run(pixeldrill_bin() + " drill " + (*dir_ / "coll") +
          " --point -40,100 --format json > /dev/full 2>" + err);
  EXPECT_EQ(r.status, 1);
  // printf output that only reaches the disk when stdio flushes at exit.
  ASSERT_EQ(run(pixeldrill_bin() + " index " + (*dir_ / "coll") + " -o " + (*dir_ / "c.pdx") +
                " > /dev/null 2>&1")
                .status,
            0);
  r = run(pixeldrill_bin() + " info " + (*dir_ / "c.pdx") + " > /dev/full 2>" + err);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(read_text(err).find("standard output"), std::string::npos) << read_text(err);
}

// The same when the table is written a block at a time (drill/block_drill.h):
// the disk fills after some blocks went out; the temporary is removed.
TEST_F(FullDisk, StreamedBlocksFailNamingTheTargetAndLeaveNothing) {
  const std::string blocks = "PIXELDRILL_DRILL_BLOCK_ROWS=20000 ";
  const std::string err = *dir_ / "err.txt";
  auto r = run(blocks + drill("> /dev/full 2>" + err));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(read_text(err).find("standard output"), std::string::npos) << read_text(err);
  if (!mount_namespaces_) GTEST_SKIP() << "unshare cannot mount a tmpfs here";
  r = run_on_full_disk(blocks + drill("-o $MNT/out.csv"), "256k");
  expect_clean_failure(r, "/out.csv");
  r = run_on_full_disk(blocks + drill("--format json -o $MNT/out.json"), "256k");
  expect_clean_failure(r, "/out.json");
  // NetCDF of 2,000 stations, one time step a block.
  const std::string stations = *dir_ / "st2000.csv";
  {
    std::ofstream out(stations);
    for (int i = 0; i < 2000; ++i)
      out << "S" << i << "," << -60 + i % 70 << "," << 80 + i % 100 << "\n";
  }
  r = run_on_full_disk("PIXELDRILL_DRILL_BLOCK_ROWS=2000 " + pixeldrill_bin() + " drill " +
                       (*dir_ / "coll") + " --stations " + stations + " -o $MNT/out.nc");
  expect_clean_failure(r, "/out.nc");
}

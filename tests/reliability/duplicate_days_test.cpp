// Two files for the same day: every path refuses by default naming both
// files (exit 2), and --duplicates first|newest picks the same file on the
// folder, index and store paths.
#include <gtest/gtest.h>

#include <filesystem>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;
namespace fs = std::filesystem;

namespace {

const char* kDay = "20160101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";

class DuplicateDays : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(make_era_collection(dir_ / "coll"));
    // A re-processed 2016-01-01 (other values: another seed) in a second folder.
    ASSERT_EQ(run(pixeldrill_bin() + " synth " + (dir_ / "other") +
                  " --decimate 50 -q --no-gaps --seed 99 --from 2016-01-01 --to 2016-01-01")
                  .status,
              0);
    fs::create_directories(dir_ / "coll/reprocessed");
    fs::copy_file(dir_ / "other/2016/" + std::string(kDay), dir_ / "coll/reprocessed/" + kDay);
    // The copy is the newer file.
    fs::last_write_time(dir_ / "coll/reprocessed/" + kDay,
                        fs::last_write_time(dir_ / "coll/2016/" + kDay) + std::chrono::hours(1));
    original_ = row_of_day(run(drill_cmd(dir_ / "other") + " 2>/dev/null").out);
    ASSERT_FALSE(original_.empty());
  }
  std::string drill_cmd(const std::string& source) const {
    return pixeldrill_bin() + " drill " + source + " --point -20,110 --precision full";
  }
  CommandResult pixeldrill_run(const std::string& args) {
    auto r = run(pixeldrill_bin() + " " + args + " 2>" + (dir_ / "err.txt"));
    err_ = read_text(dir_ / "err.txt");
    return r;
  }
  // The CSV line of 2016-01-01 in a drill's output.
  static std::string row_of_day(const std::string& csv) {
    for (const auto& line : lines(csv)) {
      if (line.rfind("2016-01-01", 0) == 0) return line;
    }
    return "";
  }
  void expect_refused(const CommandResult& r) {
    EXPECT_EQ(r.status, 2) << err_;
    EXPECT_NE(err_.find("2016/" + std::string(kDay)), std::string::npos) << err_;
    EXPECT_NE(err_.find("reprocessed/" + std::string(kDay)), std::string::npos) << err_;
    EXPECT_NE(err_.find("--duplicates"), std::string::npos) << err_;
  }

  TempDir dir_;
  std::string original_, err_;
};

}  // namespace

TEST_F(DuplicateDays, EveryPathRefusesByDefaultNamingBothFiles) {
  expect_refused(pixeldrill_run("drill " + (dir_ / "coll") + " --point -20,110"));
  ASSERT_EQ(pixeldrill_run("index " + (dir_ / "coll") + " -o " + (dir_ / "c.pdx")).status, 0)
      << err_;
  expect_refused(pixeldrill_run("drill " + (dir_ / "c.pdx") + " --point -20,110"));
  expect_refused(pixeldrill_run("convert " + (dir_ / "coll") + " -o " + (dir_ / "store") +
                                " --chunks 4,32,32 -q"));
  // Outside the duplicated day there is nothing to refuse.
  const auto later =
      pixeldrill_run("drill " + (dir_ / "coll") + " --point -20,110 --from 2019-01-01");
  EXPECT_EQ(later.status, 0) << err_;
}

TEST_F(DuplicateDays, FirstAndNewestPickTheSameFileOnEveryPath) {
  const std::string q = " --point -20,110 --precision full";  // compared to the last bit
  const auto first = pixeldrill_run("drill " + (dir_ / "coll") + q + " --duplicates first");
  const auto newest = pixeldrill_run("drill " + (dir_ / "coll") + q + " --duplicates newest");
  ASSERT_EQ(first.status, 0) << err_;
  ASSERT_EQ(newest.status, 0) << err_;
  EXPECT_EQ(lines(first.out).size(), 9u);  // header + 8 days, one row each
  EXPECT_EQ(row_of_day(newest.out), original_);
  EXPECT_NE(row_of_day(first.out), original_);

  ASSERT_EQ(pixeldrill_run("index " + (dir_ / "coll") + " -o " + (dir_ / "c.pdx")).status, 0);
  EXPECT_EQ(pixeldrill_run("drill " + (dir_ / "c.pdx") + q + " --duplicates first").out, first.out);
  EXPECT_EQ(pixeldrill_run("drill " + (dir_ / "c.pdx") + q + " --duplicates newest").out,
            newest.out);
  ASSERT_EQ(pixeldrill_run("convert " + (dir_ / "coll") + " -o " + (dir_ / "store") +
                           " --chunks 4,32,32 -q --duplicates newest")
                .status,
            0)
      << err_;
  // The store holds float32 of each value: the newest file's 2016-01-01.
  const auto stored = split(row_of_day(pixeldrill_run("drill " + (dir_ / "store") + q).out), ',');
  const auto wanted = split(row_of_day(newest.out), ',');
  ASSERT_EQ(stored.size(), 6u);
  ASSERT_EQ(wanted.size(), 6u);
  ASSERT_FALSE(wanted[4].empty());
  EXPECT_EQ(std::stod(stored[4]), static_cast<double>(static_cast<float>(std::stod(wanted[4]))));
  EXPECT_EQ(stored[5], wanted[5]);
}

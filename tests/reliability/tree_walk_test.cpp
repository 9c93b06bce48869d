// A collection folder is walked once: folder links back up the tree neither
// repeat rows nor hang; dangling links, FIFOs and folders named *.nc are
// named as skipped (exit 3) and never opened.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "../drill/drill_test_util.h"
#include "catalog/collection.h"

using namespace pixeldrill::testing;
namespace fs = std::filesystem;

namespace {

class TreeWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(make_era_collection(dir_ / "coll"));
    const auto r = run(pixeldrill_bin() + " drill " + (dir_ / "coll") + " --point -45.3,140.77");
    ASSERT_EQ(r.status, 0);
    clean_ = r.out;
    // Two loops (the old walk hung on two), a second link to a folder, and
    // entries that look like NetCDF files but are not.
    fs::create_directory_symlink("..", dir_ / "coll/2016/loop");
    fs::create_directory_symlink("../..", dir_ / "coll/2019/up2");
    fs::create_directory_symlink("../2016", dir_ / "coll/2019/same2016");
    fs::create_symlink("nowhere.nc", dir_ / "coll/2016/gone.nc");
    ASSERT_EQ(::mkfifo((dir_ / "coll/2016/pipe.nc").c_str(), 0644), 0);
    fs::create_directory(dir_ / "coll/2016/folder.nc");
  }
  CommandResult pixeldrill_run(const std::string& args) {
    // `timeout`: the old walk looped until the path grew too long.
    auto r = run("timeout 120 " + pixeldrill_bin() + " " + args + " 2>" + (dir_ / "err.txt"));
    err_ = read_text(dir_ / "err.txt");
    return r;
  }
  void expect_named(const std::vector<std::string>& names) const {
    for (const auto& n : names) EXPECT_NE(err_.find(n), std::string::npos) << n << " in " << err_;
  }

  TempDir dir_;
  std::string clean_, err_;
};

}  // namespace

TEST_F(TreeWalk, DiscoverListsEachFileOnceAndNamesWhatItSkipped) {
  std::vector<std::string> skipped;
  const auto files = pixeldrill::catalog::discover_files(dir_ / "coll", &skipped);
  EXPECT_EQ(files.size(), 8u);
  std::string all;
  for (const auto& s : skipped) all += s + "\n";
  EXPECT_EQ(skipped.size(), 6u) << all;
  for (const char* name : {"2016/loop:", "2019/up2/coll:", "2019/same2016:", "gone.nc: dangling",
                           "pipe.nc: not a regular file", "folder.nc: a folder"}) {
    EXPECT_NE(all.find(name), std::string::npos) << name << " in " << all;
  }
}

TEST_F(TreeWalk, DrillOnFolderGivesEachRowOnceAndIsPartial) {
  const auto r = pixeldrill_run("drill " + (dir_ / "coll") + " --point -45.3,140.77");
  EXPECT_EQ(r.status, 3) << err_;
  EXPECT_EQ(r.out, clean_);
  expect_named({"2016/loop", "2019/up2", "gone.nc", "pipe.nc", "folder.nc"});
}

TEST_F(TreeWalk, IndexRecordsTheSkippedEntriesAndItsDrillMatches) {
  auto r = pixeldrill_run("index " + (dir_ / "coll") + " -o " + (dir_ / "c.pdx"));
  ASSERT_NE(r.status, -1) << err_;
  r = pixeldrill_run("info " + (dir_ / "c.pdx"));
  EXPECT_NE(r.out.find("files:      8 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pipe.nc"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2016/loop"), std::string::npos) << r.out;
  r = pixeldrill_run("drill " + (dir_ / "c.pdx") + " --point -45.3,140.77");
  EXPECT_EQ(r.out, clean_);
}

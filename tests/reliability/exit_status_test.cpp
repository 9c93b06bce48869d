// Argument errors exit 2 with a message naming the argument; what the
// message says matches what is wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;

namespace {

class ExitStatus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("pixeldrill-exit");
    ok_ = make_era_collection(*dir_ / "coll");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ok_); }

  CommandResult pixeldrill_run(const std::string& args) {
    auto r = run(pixeldrill_bin() + " " + args + " 2>" + (*dir_ / "err.txt"));
    err_ = read_text(*dir_ / "err.txt");
    return r;
  }
  CommandResult drill(const std::string& args) {
    return pixeldrill_run("drill " + (*dir_ / "coll") + " " + args);
  }
  void expect_usage(const CommandResult& r, const std::vector<std::string>& mentions) {
    EXPECT_EQ(r.status, 2) << err_;
    EXPECT_EQ(r.out, "");
    for (const auto& m : mentions)
      EXPECT_NE(err_.find(m), std::string::npos) << "no '" << m << "' in: " << err_;
  }

  static TempDir* dir_;
  static bool ok_;
  std::string err_;
};
TempDir* ExitStatus::dir_ = nullptr;
bool ExitStatus::ok_ = false;

}  // namespace

TEST_F(ExitStatus, BadQueryArgumentsExitTwo) {
  expect_usage(drill("--point abc"), {"--point 'abc'"});
  expect_usage(drill(""), {"--point, --stations, --box or --bbox"});
  expect_usage(drill("--point -40,100 --from 2020-01-02 --to 2020-01-01"),
               {"--from 2020-01-02 is after --to 2020-01-01"});
  expect_usage(drill("--point -40,100 --from 2020-13-01"), {"--from", "2020-13-01"});
  expect_usage(drill("--box 1,0,100,110"), {"--box", "south"});
  expect_usage(drill("--point 45,100"), {"outside the grid"});
}

TEST_F(ExitStatus, HexAndInfinityAreNotCoordinates) {
  // strtod reads "0x10" as 16: a typo must not drill latitude 16.
  expect_usage(drill("--point 0x10,115"), {"--point '0x10,115'"});
  expect_usage(drill("--point inf,115"), {"--point 'inf,115'"});
  expect_usage(drill("--point nan,115"), {"--point 'nan,115'"});
}

TEST_F(ExitStatus, OutputPathProblemsAreNamedPlainly) {
  std::filesystem::create_directories(*dir_ / "outdir");
  expect_usage(drill("--point -40,100 -o " + (*dir_ / "outdir")), {"outdir", "is a folder"});
  expect_usage(drill("--point -40,100 -o " + (*dir_ / "missing/out.csv")),
               {"missing/out.csv", "does not exist"});
  EXPECT_EQ(err_.find("Permission denied"), std::string::npos) << err_;
  EXPECT_EQ(err_.find("Success"), std::string::npos) << err_;
}

TEST_F(ExitStatus, ThreadCountOutOfRangeNamesThreads) {
  const auto r = pixeldrill_run("convert " + (*dir_ / "coll") + " -o " + (*dir_ / "store") +
                                " --threads 100000");
  expect_usage(r, {"--threads"});
  EXPECT_EQ(err_.find("--max-mem"), std::string::npos) << err_;
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "store"));
}

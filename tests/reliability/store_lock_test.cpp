// One writer per store: while a convert holds the store's lock, a second
// convert --append is refused with a message and changes nothing; the lock
// is released with its process, and a fresh store still converts.
#include "store/store_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;
namespace fs = std::filesystem;

TEST(StoreLock, SecondWriterIsRefusedWhileTheFirstHoldsTheLock) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "coll"));
  const std::string convert = pixeldrill_bin() + " convert " + (dir / "coll") + " -o " +
                              (dir / "store") + " --chunks 4,32,32 -q";
  ASSERT_EQ(run(convert + " 2>/dev/null").status, 0);
  const std::string journal = read_text(dir / "store/.pixeldrill/journal.json");

  {
    // Stand in for a conversion in progress: hold the same flock.
    const pixeldrill::store::StoreLock held(dir / "store");
    const auto r = run(convert + " --append 2>" + (dir / "err.txt"));
    const std::string err = read_text(dir / "err.txt");
    EXPECT_EQ(r.status, 1) << err;
    EXPECT_NE(err.find("another pixeldrill convert is writing this store"), std::string::npos)
        << err;
    EXPECT_NE(err.find(dir / "store"), std::string::npos) << err;
    EXPECT_EQ(read_text(dir / "store/.pixeldrill/journal.json"), journal);
  }
  // Released: the same command now runs (and finds nothing new).
  EXPECT_EQ(run(convert + " --append 2>/dev/null").status, 0);
  EXPECT_EQ(read_text(dir / "store/.pixeldrill/journal.json"), journal);
}

TEST(StoreLock, LockLeftByAStoppedRunDoesNotMakeTheFolderForeign) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "coll"));
  fs::create_directories(dir / "store/.pixeldrill");
  { std::ofstream(dir / "store/.pixeldrill/lock"); }
  const auto r = run(pixeldrill_bin() + " convert " + (dir / "coll") + " -o " + (dir / "store") +
                     " --chunks 4,32,32 -q 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
}

// MPI is found at run time: a plain `pixeldrill` never loads libmpi; a
// launcher's environment makes it load the plugin, or refuse clearly when it
// cannot; commands that do not split their work refuse to run on many ranks;
// the communicator's collectives and the collective error agreement work.
#include <gtest/gtest.h>

#include "mpi_test_util.h"
#include "parallel/collective.h"
#include "parallel/communicator.h"

namespace pixeldrill::testing {
namespace {

TEST(MpiRuntime, PlainRunDoesNotLoadLibmpi) {
  const auto needed = run("readelf -d " + pixeldrill_bin() + " | grep NEEDED");
  ASSERT_EQ(needed.status, 0);
  EXPECT_NE(needed.out.find("libc.so"), std::string::npos) << needed.out;
  EXPECT_EQ(needed.out.find("libmpi"), std::string::npos) << needed.out;
  // What the dynamic loader actually opens for --version and a drill.
  const auto loaded = run("LD_DEBUG=files " + pixeldrill_bin() + " --version 2>&1");
  EXPECT_NE(loaded.out.find("pixeldrill 0.1.0"), std::string::npos);
  EXPECT_EQ(loaded.out.find("libmpi"), std::string::npos);
  EXPECT_EQ(loaded.out.find("pixeldrill_mpi"), std::string::npos);
}

TEST(MpiRuntime, LauncherWithoutThePluginIsRefusedClearly) {
  TempDir dir;
  // OpenMPI's environment for rank 0 of 2, but no plugin where it is looked for.
  const auto r = run("OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 PIXELDRILL_MPI_PLUGIN=" +
                     dir.str("missing.so") + " " + pixeldrill_bin() + " index " + dir.str() +
                     " -o " + dir.str("x.pdx") + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("started by an MPI launcher with 2 ranks, but MPI support is unavailable"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("missing.so"), std::string::npos) << r.out;
  // PIXELDRILL_MPI=0 runs it as a plain process (here: an empty folder).
  const auto plain = run("OMPI_COMM_WORLD_SIZE=2 PIXELDRILL_MPI=0 " + pixeldrill_bin() + " index " +
                         dir.str() + " -o " + dir.str("x.pdx") + " 2>&1");
  EXPECT_EQ(plain.out.find("MPI"), std::string::npos) << plain.out;
}

TEST(MpiRuntime, CommandsThatDoNotSplitRefuseSeveralRanks) {
  TempDir dir;
  const auto r = run("OMPI_COMM_WORLD_SIZE=3 " + pixeldrill_bin() + " synth " + dir.str("s") +
                     " --from 2020-01-01 --to 2020-01-01 --decimate 50 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("pixeldrill synth: error: does not run under mpirun (3 ranks"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.str("s")));
}

TEST(MpiRuntime, SingleProcessCommunicatorAndShares) {
  parallel::SingleProcess one;
  EXPECT_EQ(one.rank(), 0);
  EXPECT_EQ(one.size(), 1);
  EXPECT_EQ(one.gather("abc", 0), std::vector<std::string>{"abc"});
  EXPECT_TRUE(one.any(true));
  EXPECT_FALSE(one.any(false));
  // One rank: the error passes through unchanged, with its kind.
  try {
    parallel::collective_step(one, [] { throw BadRequest("--x: bad"); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--x: bad");
    EXPECT_EQ(e.kind(), ErrorKind::kBadRequest);
  }
  // Shares: consecutive, covering, earlier ranks take the extra items.
  size_t next = 0;
  for (int r = 0; r < 3; ++r) {
    const auto sh = parallel::share_of(7, r, 3);
    EXPECT_EQ(sh.begin, next);
    EXPECT_EQ(sh.end - sh.begin, r == 0 ? 3u : 2u);
    next = sh.end;
  }
  EXPECT_EQ(next, 7u);
  const auto empty = parallel::share_of(1, 2, 3);
  EXPECT_EQ(empty.begin, empty.end);
}

}  // namespace
}  // namespace pixeldrill::testing

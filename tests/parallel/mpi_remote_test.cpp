// Remote sources under `mpirun`: a collection served by nginx and listed in
// an @urls.txt is indexed, referenced and drilled by several ranks, each
// reading its own files' byte ranges over HTTP, with the same bytes out as
// one process (and as the same files read locally).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "../support/servers.h"
#include "mpi_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

TEST(MpiRemote, IndexRefsAndDrillOverHttpAreByteIdentical) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir tmp("pixeldrill-mpi-remote");
  const std::string coll = tmp.str("coll");
  ASSERT_EQ(run(pixeldrill_bin() + " synth " + coll +
                " --from 2020-01-01 --to 2020-01-08 --decimate 50 --seed 5 --no-gaps -q")
                .status,
            0);
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(coll)) {
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), coll).string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 8u);
  NginxServer nginx(coll);
  {
    std::ofstream urls(tmp.str("urls.txt"));
    for (const auto& f : files) urls << nginx.http_url() << "/" << f << "\n";
    std::ofstream stations(tmp.str("stations.csv"));
    stations << "id,lat,lon\nA,-20,150\nB,-40,140\nC,-10,120\n";
  }
  const std::string urls = " @" + tmp.str("urls.txt");
  const std::string q = " --stations " + tmp.str("stations.csv") + " --format json";

  auto run_ok = [](int ranks, const std::string& args) {
    const auto r = run(mpi_command(ranks, args) + " 2>&1");
    EXPECT_EQ(r.status, 0) << ranks << " ranks: " << args << "\n" << r.out;
    return r.out;
  };
  run_ok(0, "index" + urls + " -o " + tmp.str("one.pdx"));
  run_ok(0, "refs" + urls + " -o " + tmp.str("refs1"));
  run_ok(0, "index " + coll + " -o " + tmp.str("local.pdx"));
  const std::string drill1 = run(mpi_command(0, "drill " + tmp.str("one.pdx") + q)).out;
  // The same files read locally give the same answer.
  EXPECT_EQ(drill1, run(mpi_command(0, "drill " + tmp.str("local.pdx") + q)).out);
  ASSERT_NE(drill1.find("\"data\""), std::string::npos) << drill1;
  for (int n : {2, 3}) {
    SCOPED_TRACE(n);
    const std::string index = tmp.str("n" + std::to_string(n) + ".pdx");
    const std::string said = run_ok(n, "index" + urls + " -o " + index);
    EXPECT_EQ(read_text(index), read_text(tmp.str("one.pdx")));
    // The remote traffic line sums every rank's requests.
    EXPECT_NE(said.find("indexed 8 files (8 read"), std::string::npos) << said;
    EXPECT_NE(said.find("remote: "), std::string::npos) << said;
    const std::string refs = tmp.str("refs" + std::to_string(n));
    run_ok(n, "refs" + urls + " -o " + refs);
    EXPECT_EQ(tree_bytes(refs), tree_bytes(tmp.str("refs1")));
    const auto drill = run(mpi_command(n, "drill " + index + q));
    EXPECT_EQ(drill.status, 0);
    EXPECT_EQ(drill.out, drill1);
  }
}

}  // namespace
}  // namespace pixeldrill::testing

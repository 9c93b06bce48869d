// `pixeldrill index --processes N` (parallel/local_processes.h): N processes
// forked by pixeldrill itself, each with its own HDF5, share the files as MPI
// ranks do and write the same index bytes as one process; a file one of them
// cannot read is skipped and named as one process names it; a process that
// dies stops the run with its rank named and leaves no index behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../drill/drill_test_util.h"
#include "../support/servers.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

class LocalProcesses : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir("pixeldrill-local-processes");
    ASSERT_EQ(run(pixeldrill_bin() + " synth " + coll() +
                  " --from 2020-01-01 --to 2020-01-10 --decimate 50 --seed 8 --no-gaps -q")
                  .status,
              0);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static std::string coll() { return tmp_->str("coll"); }
  static std::vector<std::string> files() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(coll())) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), coll()).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static inline TempDir* tmp_ = nullptr;
};

TEST_F(LocalProcesses, IndexWithSeveralProcessesIsByteIdenticalToOne) {
  TempDir out;
  const auto one = run(pixeldrill_bin() + " index " + coll() + " -o " + out.str("p1.pdx") +
                       " --processes 1 2>&1");
  ASSERT_EQ(one.status, 0) << one.out;
  const std::string bytes = read_text(out.str("p1.pdx"));
  ASSERT_GT(bytes.size(), 1000u);
  for (int n : {2, 3, 7}) {
    SCOPED_TRACE(n);
    const std::string idx = out.str("p" + std::to_string(n) + ".pdx");
    const auto r = run(pixeldrill_bin() + " index " + coll() + " -o " + idx + " --processes " +
                       std::to_string(n) + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(read_text(idx), bytes);
    // One summary line, from rank 0: every file counted once.
    EXPECT_NE(r.out.find("indexed 10 files (10 read"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("indexed", r.out.find("indexed") + 1), std::string::npos) << r.out;
  }
  // An update by several processes re-reads only what changed, as one does.
  const std::string coll2 = out.str("coll2");
  fs::copy(coll(), coll2, fs::copy_options::recursive);
  ASSERT_EQ(run(pixeldrill_bin() + " index " + coll2 + " -o " + out.str("u1.pdx")).status, 0);
  fs::copy_file(out.str("u1.pdx"), out.str("u3.pdx"));
  fs::remove(coll2 + "/" + files().back());
  for (const std::string n : {"1", "3"}) {
    const auto r = run(pixeldrill_bin() + " index " + coll2 + " -o " + out.str("u" + n + ".pdx") +
                       " --processes " + n + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("(0 read, 9 unchanged, 1 dropped"), std::string::npos) << r.out;
  }
  EXPECT_EQ(read_text(out.str("u3.pdx")), read_text(out.str("u1.pdx")));
}

TEST_F(LocalProcesses, AFileOneProcessCannotReadIsSkippedAsOneProcessSkipsIt) {
  TempDir out;
  const std::string copy = out.str("coll");
  fs::copy(coll(), copy, fs::copy_options::recursive);
  const std::string cut = copy + "/" + files()[4];
  fs::resize_file(cut, fs::file_size(cut) / 3);  // its HDF5 metadata cut short
  const auto one =
      run(pixeldrill_bin() + " index " + copy + " -o " + out.str("p1.pdx") + " --processes 1 2>&1");
  ASSERT_EQ(one.status, 3) << one.out;
  ASSERT_NE(one.out.find("skipped: " + cut), std::string::npos) << one.out;
  const auto three =
      run(pixeldrill_bin() + " index " + copy + " -o " + out.str("p3.pdx") + " --processes 3 2>&1");
  EXPECT_EQ(three.status, 3) << three.out;
  const size_t at = three.out.find("skipped: " + cut);
  ASSERT_NE(at, std::string::npos) << three.out;
  EXPECT_EQ(three.out.find("skipped: " + cut, at + 1), std::string::npos) << three.out;  // once
  EXPECT_EQ(read_text(out.str("p3.pdx")), read_text(out.str("p1.pdx")));
}

// Ranks 1 and 2 read their files through a proxy that stalls every answer;
// one of them is killed meanwhile. Rank 0 names it and stops the run with an
// error; no index is written, and no process is left behind.
TEST_F(LocalProcesses, AProcessThatDiesStopsTheRunAndWritesNoIndex) {
  TempDir out;
  NginxServer nginx(coll());
  FaultProxy proxy(nginx.http_url(), "stall", -1);
  {
    std::ofstream urls(out.str("urls.txt"));
    for (const auto& f : files()) urls << proxy.url() << "/" << f << "\n";
  }
  const std::string index = out.str("i.pdx");
  const std::string log = out.str("index.log");
  ChildProcess pixeldrill_run({pixeldrill_bin(), "index", "@" + out.str("urls.txt"), "-o", index,
                               "--processes", "3", "--retries", "0", "--deadline", "2"},
                              log);
  // Its children: the processes whose parent is the one just started.
  auto children = [&] {
    std::vector<pid_t> pids;
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream stat(e.path() / "stat");
      std::string line;
      std::getline(stat, line);
      const size_t close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state;
      pid_t ppid = 0;
      rest >> state >> ppid;
      if (ppid == pixeldrill_run.pid()) pids.push_back(std::stoi(name));
    }
    return pids;
  };
  std::vector<pid_t> kids;
  for (int i = 0; i < 200 && kids.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kids = children();
  }
  ASSERT_EQ(kids.size(), 2u);
  ASSERT_EQ(::kill(kids[0], SIGKILL), 0);
  int status = 0;
  ASSERT_TRUE(pixeldrill_run.wait(std::chrono::seconds(60), &status)) << read_text(log);
  ASSERT_TRUE(WIFEXITED(status)) << read_text(log);
  EXPECT_NE(WEXITSTATUS(status), 0) << read_text(log);
  const std::string said = read_text(log);
  EXPECT_NE(said.find("killed by signal 9"), std::string::npos) << said;
  EXPECT_NE(said.find("stopping every process"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(index));
  EXPECT_TRUE(children().empty());
}

TEST_F(LocalProcesses, ProcessesAreRefusedUnderMpirunAndOutOfRange) {
  TempDir out;
  const auto zero = run(pixeldrill_bin() + " index " + coll() + " -o " + out.str("x.pdx") +
                        " --processes 0 2>&1");
  EXPECT_EQ(zero.status, 2) << zero.out;
  EXPECT_NE(zero.out.find("--processes"), std::string::npos) << zero.out;
  // What an MPI launcher's environment says (no MPI is started: refused first).
  const auto under_mpi = run("OMPI_COMM_WORLD_SIZE=2 " + pixeldrill_bin() + " index " + coll() +
                             " -o " + out.str("x.pdx") + " --processes 2 2>&1");
  EXPECT_EQ(under_mpi.status, 2) << under_mpi.out;
  EXPECT_NE(under_mpi.out.find("--processes: this run was started by an MPI launcher"),
            std::string::npos)
      << under_mpi.out;
  EXPECT_FALSE(fs::exists(out.str("x.pdx")));
}

}  // namespace
}  // namespace pixeldrill::testing

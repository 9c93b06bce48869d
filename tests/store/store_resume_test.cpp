// Crash safety: a conversion killed at any point (here: the process dies
// without cleanup right after its Nth chunk file, as kill -9 would leave it)
// resumes when re-run and ends byte-identical to an uninterrupted run.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store_fixture.h"

namespace pixeldrill::store_test {
namespace {

class StoreResume : public StoreFixture {};

constexpr const char* kArgs = "--chunks 8,32,32 --threads 2";

TEST_F(StoreResume, KilledConversionsResumeToIdenticalStores) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("clean"), kArgs), 0);
  const auto clean = snapshot(out.path() / "clean");
  ASSERT_GT(clean.size(), 50u);
  size_t chunk_files = 0;
  for (const auto& [name, bytes] : clean) {
    const auto slash = name.rfind('/');
    const std::string leaf = slash == std::string::npos ? name : name.substr(slash + 1);
    if (name.rfind(".pixeldrill", 0) != 0 && slash != std::string::npos && leaf[0] != '.' &&
        leaf.find('.') != std::string::npos) {
      ++chunk_files;
    }
  }
  ASSERT_GT(chunk_files, 40u);
  size_t killed_after_a_finished_variable = 0;  // the resume then skips that variable
  // Kill at the first chunk, a third and two thirds of the way, and at the last.
  for (size_t n : {size_t{1}, chunk_files / 3, 2 * chunk_files / 3, chunk_files}) {
    const std::string store = out.str("killed" + std::to_string(n));
    const int status =
        convert(coll(), store, kArgs, "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=" + std::to_string(n));
    ASSERT_EQ(status, 137) << "crash hook did not fire at chunk " << n;
    EXPECT_NE(snapshot(store), clean) << n;
    const auto journal =
        nlohmann::json::parse(read_text(std::filesystem::path(store) / ".pixeldrill/journal.json"));
    if (!journal["block_done"].empty()) ++killed_after_a_finished_variable;
    if (n == 1) {
      // As if killed while the fresh store's metadata was being written.
      std::filesystem::remove(std::filesystem::path(store) / ".zmetadata");
      std::filesystem::remove(std::filesystem::path(store) / "quality_level/.zarray");
    }
    ASSERT_EQ(convert(coll(), store, kArgs), 0) << n;
    const auto resumed = snapshot(store);
    EXPECT_EQ(resumed.size(), clean.size()) << n;
    for (const auto& [name, bytes] : clean) {
      const auto it = resumed.find(name);
      ASSERT_NE(it, resumed.end()) << name << " missing after resume from chunk " << n;
      EXPECT_EQ(it->second, bytes) << name << " differs after resume from chunk " << n;
    }
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(store) / ".pixeldrill/tmp"));
  }
  EXPECT_GT(killed_after_a_finished_variable, 0u);
}

TEST_F(StoreResume, RealSigkillMidConversionResumesToIdenticalStore) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("clean"), "--chunks 4,16,16"), 0);
  const auto clean = snapshot(out.path() / "clean");
  const std::string store = out.str("killed");
  // Kill as soon as the store has a few chunk files.
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(bin().c_str(), bin().c_str(), "convert", coll().c_str(), "-o", store.c_str(), "-q",
            "--chunks", "4,16,16", "--threads", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto dir = std::filesystem::path(store) / "sea_surface_temperature";
  for (int i = 0; i < 20000; ++i) {
    std::error_code ec;
    size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); ++it) {
      ++n;
    }
    if (n > 30) break;
    ::usleep(200);
  }
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_EQ(convert(coll(), store, "--chunks 4,16,16"), 0);
  EXPECT_EQ(snapshot(store), clean);
}

// --max-mem small enough that a block's steps come in several sub-blocks
// (spooled partial chunks) on a 900 x 1200 grid: same bytes as the one-pass
// conversion, and the child's peak RSS stays within the budget.
TEST_F(StoreResume, TightMemoryBudgetSpoolsAndStaysWithinIt) {
  TempDir out;
  synth(out.str("coll"), "2021-03-01", "2021-03-14",
        "--no-gaps --vars sea_surface_temperature,quality_level", 5);
  // Exact float32 window: (300 + 64 rows) x 1200 x 4 B = 1.75 MB per day;
  // 64M leaves ~14 MB after the fixed reserve: 7 of the 14 days at a time.
  const std::string args = " --chunks 14,64,64 --threads 1 --max-mem 64M";
  const auto r = run(bin() + " convert " + out.str("coll") + " -o " + out.str("tight") + args);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("spool"), std::string::npos) << r.out;
  std::filesystem::remove_all(out.path() / "tight");
  const long rss = run_peak_rss_kib(bin() + " convert " + out.str("coll") + " -o " +
                                    out.str("tight") + args + " -q");
  ASSERT_GT(rss, 0);
  ASSERT_EQ(convert(out.str("coll"), out.str("roomy"), "--chunks 14,64,64"), 0);
  EXPECT_EQ(snapshot(out.path() / "roomy"), snapshot(out.path() / "tight"));
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow memory and quarantine are not in the budget.
  std::printf("(ASan build: peak RSS %ld KiB not checked against --max-mem)\n", rss);
#else
  EXPECT_LT(rss, 64 * 1024) << "peak RSS in KiB";
#endif
  std::printf("convert --max-mem 64M (900 x 1200 grid, 14 days): peak RSS %ld KiB\n", rss);
}

}  // namespace
}  // namespace pixeldrill::store_test

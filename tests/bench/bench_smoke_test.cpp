// The benchmark harness end to end, in its tiny --smoke mode: it generates a
// 5-day collection, asks every installed fast contender the four questions,
// and must find that they all return pixeldrill's values. A second run
// perturbs one contender's answer and the harness must then fail.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "../support/test_paths.h"

namespace {

class BenchTempDir {
 public:
  BenchTempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "pixeldrill-bench-XXXXXX").string();
    if (!mkdtemp(templ.data())) std::abort();
    path_ = templ;
  }
  ~BenchTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  BenchTempDir(const BenchTempDir&) = delete;
  BenchTempDir& operator=(const BenchTempDir&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Runs bench/run.sh --smoke with `extra` options; returns its exit status.
int run_smoke(const std::string& out, const std::string& extra) {
  const std::string cmd = "PIXELDRILL_BIN='" + std::string(PIXELDRILL_BIN) +
                          "' timeout 300 bash '" + std::string(PIXELDRILL_SOURCE_DIR) +
                          "/bench/run.sh' --smoke --out '" + out + "' " + extra + " > '" + out +
                          "/harness.log' 2>&1";
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

nlohmann::json read_results(const std::string& out) {
  std::ifstream in(out + "/results.json");
  if (!in) return nullptr;
  return nlohmann::json::parse(in);
}

std::string log_of(const std::string& out) {
  std::ifstream in(out + "/harness.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const nlohmann::json* find(const nlohmann::json& results, const std::string& question,
                           const std::string& contender) {
  for (const auto& r : results["results"])
    if (r["question"] == question && r["contender"] == contender) return &r;
  return nullptr;
}

const std::set<std::string> kQuestions = {"point_all", "point_month", "box25_mean", "stations50"};

TEST(BenchSmoke, EveryInstalledContenderReturnsPixeldrillsValuesForEveryQuestion) {
  BenchTempDir tmp;
  const int status = run_smoke(tmp.str(), "");
  ASSERT_EQ(status, 0) << log_of(tmp.str());
  const nlohmann::json res = read_results(tmp.str());
  ASSERT_FALSE(res.is_null()) << log_of(tmp.str());
  EXPECT_FALSE(res["failed"].get<bool>());
  std::set<std::string> seen;
  for (const auto& r : res["results"]) {
    seen.insert(r["question"].get<std::string>());
    const std::string who = r["contender"].get<std::string>() + " / " +
                            r["question"].get<std::string>() + ": " +
                            r["reason"].get<std::string>();
    EXPECT_NE(r["status"], "FAILED") << who;
    EXPECT_EQ(r["reference"], "pixeldrill") << who;
    if (r["status"] == "ok") {
      EXPECT_TRUE(r["check"]["match"].get<bool>()) << who;
      EXPECT_GT(r["check"]["rows_reference"].get<int>(), 0) << who;
      EXPECT_GT(r["warm"]["wall_median"].get<double>(), 0.0) << who;
      EXPECT_GT(r["warm"]["rss_mb_max"].get<double>(), 0.0) << who;
    } else if (r["status"] == "error") {
      // Index/store paths may still be in progress; report, don't hide.
      std::fprintf(stderr, "bench smoke: contender error: %s\n", who.c_str());
    }
  }
  EXPECT_EQ(seen, kQuestions);
  // The contenders this project builds or installs must all answer, and agree.
  for (const std::string& q : kQuestions)
    for (const char* c : {"pixeldrill", "nc_loop", "xarray", "cdo", "nco"}) {
      const nlohmann::json* r = find(res, q, c);
      ASSERT_NE(r, nullptr) << c << " / " << q;
      EXPECT_EQ((*r)["status"], "ok") << c << " / " << q << ": " << (*r)["reason"];
      if ((*r)["status"] == "ok") {
        EXPECT_TRUE((*r)["check"]["match"].get<bool>()) << c << " / " << q;
        EXPECT_GT((*r)["check"]["valid_values"].get<int>(), 0) << c << " / " << q;
      }
    }
  // The physical limit was measured from the real chunks of each question.
  for (const std::string& q : kQuestions) {
    const auto& lim = res["limits"]["smoke-d50/" + q];
    EXPECT_GT(lim.value("chunks", 0), 0) << q << " " << lim.dump();
    EXPECT_GT(lim.value("limit_needed_s", 0.0), 0.0) << q;
  }
  EXPECT_TRUE(std::filesystem::exists(tmp.str() + "/results.csv"));
  EXPECT_TRUE(std::filesystem::exists(tmp.str() + "/report.md"));
}

TEST(BenchSmoke, HarnessFailsWhenAContenderReturnsDifferentValues) {
  BenchTempDir tmp;
  const int status = run_smoke(
      tmp.str(), "--perturb nc_loop --contenders pixeldrill,nc_loop --questions point_all");
  EXPECT_EQ(status, 1) << log_of(tmp.str());
  const nlohmann::json res = read_results(tmp.str());
  ASSERT_FALSE(res.is_null()) << log_of(tmp.str());
  EXPECT_TRUE(res["failed"].get<bool>());
  const nlohmann::json* ref = find(res, "point_all", "pixeldrill");
  const nlohmann::json* bad = find(res, "point_all", "nc_loop");
  ASSERT_NE(ref, nullptr);
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ((*ref)["status"], "ok");
  EXPECT_EQ((*bad)["status"], "FAILED");
  EXPECT_EQ((*bad)["check"]["n_value_mismatches"].get<int>(), 1);
  EXPECT_NE((*bad)["reason"].get<std::string>().find("values differ"), std::string::npos);
  EXPECT_FALSE(bad->contains("warm")) << "a wrong answer must not be timed";
}

}  // namespace

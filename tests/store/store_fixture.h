#pragma once
// A small synthetic collection (made once per test suite with `pixeldrill
// synth`) and helpers to convert and drill it through the CLI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "store_test_util.h"

namespace pixeldrill::store_test {

class StoreFixture : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    // Stores made at different moments must be byte-identical (resume,
    // append, index vs folder): their date_created/history take this clock.
    ::setenv("SOURCE_DATE_EPOCH", "1764633600", 1);
    tmp_ = new TempDir();
    // Crosses a year boundary (two per-year folders), 90 x 120 grid.
    synth(tmp_->str("coll"), "2019-12-18", "2020-01-12");
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

  static void synth(const std::string& dir, const std::string& from, const std::string& to,
                    const std::string& extra = "", int decimate = 50) {
    const auto r = run(bin() + " synth " + dir + " --from " + from + " --to " + to +
                       " --decimate " + std::to_string(decimate) + " --seed 7 -q " + extra);
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static std::string coll() { return tmp_->str("coll"); }

  // Runs `pixeldrill convert`; returns the exit status.
  static int convert(const std::string& source, const std::string& store,
                     const std::string& args = "", const std::string& env = "") {
    const auto r =
        run(env + " " + bin() + " convert " + source + " -o " + store + " -q " + args + " 2>&1");
    if (r.status != 0 && !r.out.empty()) std::fprintf(stderr, "convert said: %s\n", r.out.c_str());
    return r.status;
  }

  static nlohmann::json drill(const std::string& source, const std::string& args) {
    // Full precision: stored values are compared to the last bit.
    const auto r = run(bin() + " drill " + source + " " + args +
                       " --precision full --format json 2>/dev/null");
    EXPECT_EQ(r.status, 0) << args;
    return nlohmann::json::parse(r.out);
  }

  static double value(const nlohmann::json& row, const std::string& var) {
    return row[var].is_null() ? std::nan("") : row[var].get<double>();
  }

  static inline TempDir* tmp_ = nullptr;
};

}  // namespace pixeldrill::store_test

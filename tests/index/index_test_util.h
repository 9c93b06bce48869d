#pragma once
// Shared by the index tests: a small mixed-era synthetic collection (2016
// chunk layout, sea-ice and no-sea-ice eras), made once per test binary run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "../drill/drill_test_util.h"
#include "drill/series.h"

namespace pixeldrill::testing {

// Writes the collection into dir/c: 2015-12-30..2016-01-02 and 2019-12-31..2020-01-02.
inline std::string make_mixed_collection(const TempDir& dir) {
  const std::string c = dir / "c";
  for (const char* range :
       {"--from 2015-12-30 --to 2016-01-02", "--from 2019-12-31 --to 2020-01-02"}) {
    const auto r = run(pixeldrill() + " synth " + c + " " + range + " --decimate 50 -q --no-gaps");
    EXPECT_EQ(r.status, 0) << range;
  }
  return c;
}

inline bool same_double(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

// Values must be bit-identical; only Series::source may differ.
inline void expect_same_series(const drill::Series& a, const drill::Series& b,
                               const std::string& what) {
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (size_t c = 0; c < a.columns.size(); ++c) {
    EXPECT_EQ(a.columns[c].name, b.columns[c].name) << what;
    EXPECT_EQ(a.columns[c].units, b.columns[c].units) << what;
  }
  ASSERT_EQ(a.rows.size(), b.rows.size()) << what;
  size_t valid = 0;
  for (size_t r = 0; r < a.rows.size(); ++r) {
    const auto &x = a.rows[r], &y = b.rows[r];
    ASSERT_EQ(x.time, y.time) << what << " row " << r;
    ASSERT_EQ(x.site, y.site) << what << " row " << r;
    ASSERT_TRUE(same_double(x.lat, y.lat)) << what << " row " << r;
    ASSERT_TRUE(same_double(x.lon, y.lon)) << what << " row " << r;
    ASSERT_EQ(x.values.size(), y.values.size());
    for (size_t v = 0; v < x.values.size(); ++v) {
      ASSERT_TRUE(same_double(x.values[v], y.values[v]))
          << what << " row " << r << " column " << a.columns[v].name << ": " << x.values[v]
          << " vs " << y.values[v];
      if (!std::isnan(x.values[v])) ++valid;
    }
  }
  EXPECT_EQ(a.problems.size(), b.problems.size()) << what;
  (void)valid;
}

inline size_t valid_values(const drill::Series& s) {
  size_t n = 0;
  for (const auto& r : s.rows) {
    for (double v : r.values) n += !std::isnan(v);
  }
  return n;
}

}  // namespace pixeldrill::testing

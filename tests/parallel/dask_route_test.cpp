// The Python way to scale out: Dask on a dask.distributed LocalCluster (two
// worker processes) computes monthly means at stations from a pixeldrill
// Zarr store (xr.open_zarr with chunks) and from pixeldrill's combined kerchunk
// references, and both equal `pixeldrill drill --aggregate month`.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "../drill/drill_test_util.h"

namespace pixeldrill::testing {
namespace {

// (month, site) -> (mean text, count text)
using Monthly = std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>>;

Monthly ours(const std::string& source, const std::string& stations) {
  const auto r = run(pixeldrill_bin() + " drill " + source + " --stations " + stations +
                     " --var sea_surface_temperature --aggregate month --stats mean,count");
  EXPECT_EQ(r.status, 0) << r.out;
  Monthly out;
  const auto rows = lines(r.out);
  EXPECT_EQ(rows.at(0),
            "time,period,site,lat,lon,sea_surface_temperature_mean,sea_surface_temperature_count");
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i], ',');
    out[{f[1], f[2]}] = {f[5], f[6]};
  }
  return out;
}

// kind -> its monthly table, from one run of the script (one cluster).
std::map<std::string, Monthly> dask(const std::string& stations, const std::string& sources) {
  const auto r = run(python() + " " + python_script("dask_monthly.py") + " " + stations +
                     " sea_surface_temperature " + sources + " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  std::map<std::string, Monthly> out;
  for (const auto& line : lines(r.out)) {
    const auto f = split(line, ',');
    if (f.size() == 5) out[f[0]][{f[1], f[2]}] = {f[3], f[4]};
  }
  return out;
}

void expect_equal(const Monthly& want, const Monthly& got, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  size_t valid = 0;
  for (const auto& [key, value] : want) {
    SCOPED_TRACE(what + " " + key.first + " " + key.second);
    const auto it = got.find(key);
    ASSERT_NE(it, got.end());
    EXPECT_EQ(it->second.second, value.second);  // count
    EXPECT_EQ(it->second.first.empty(), value.first.empty());
    if (value.first.empty() || it->second.first.empty()) continue;
    const double a = std::stod(value.first), b = std::stod(it->second.first);
    EXPECT_NEAR(a, b, 1e-9 * std::fabs(a));
    ++valid;
  }
  EXPECT_GT(valid, want.size() / 2) << what;
}

TEST(DaskRoute, MonthlyMeansFromStoreAndRefsOnALocalClusterMatchPixeldrill) {
  if (run(python() + " -c 'import dask.distributed, fsspec, zarr' 2>/dev/null").status != 0) {
    GTEST_SKIP() << "Debian's python3-distributed, python3-fsspec or python3-zarr is missing";
  }
  TempDir dir;
  const std::string coll = dir.str("coll");
  ASSERT_EQ(run(pixeldrill_bin() + " synth " + coll +
                " --from 2020-01-20 --to 2020-03-05 --decimate 50 --seed 11 -q")
                .status,
            0);
  std::ofstream(dir.str("st.csv")) << "id,lat,lon\nA,-40,140\nB,-45,100\nC,-30,160\n";
  const std::string stations = dir.str("st.csv");
  const std::string store = dir.str("s.zarr"), refs = dir.str("refs.json");
  ASSERT_EQ(run(pixeldrill_bin() + " convert " + coll + " -o " + store + " -q").status, 0);
  ASSERT_EQ(
      run(pixeldrill_bin() + " refs " + coll + " --combined -o " + refs + " 2>/dev/null").status,
      0);
  const Monthly from_store = ours(store, stations);
  ASSERT_EQ(from_store.size(), 3u * 3);  // Jan, Feb, Mar x 3 stations
  auto computed = dask(stations, "zarr=" + store + " refs=" + refs);
  expect_equal(from_store, computed["zarr"], "zarr store");
  // The references read the NetCDF files in place: compare with a drill of the files.
  expect_equal(ours(coll, stations), computed["refs"], "kerchunk refs");
}

}  // namespace
}  // namespace pixeldrill::testing

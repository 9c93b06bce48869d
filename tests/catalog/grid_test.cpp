#include "catalog/grid.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "../drill/drill_test_util.h"

using namespace pixeldrill;
using namespace pixeldrill::testing;

namespace {

// The IMOS L3S grid as stored: float32 centres.
catalog::Axis float32_axis(const std::string& name, double first, double step, size_t n) {
  catalog::Axis a;
  a.name = name;
  a.float32 = true;
  for (size_t i = 0; i < n; ++i) {
    a.values.push_back(
        static_cast<double>(static_cast<float>(first + step * static_cast<double>(i))));
  }
  return a;
}

// xarray's answers for `targets` on `axis`, through tests/python/drill_nearest.py.
std::vector<long> xarray_nearest(const catalog::Axis& axis, const std::vector<double>& targets) {
  TempDir dir;
  {
    std::ofstream a(dir / "axis.txt");
    a << (axis.float32 ? "float32" : "float64") << "\n";
    char buf[64];
    for (double v : axis.values) {
      std::snprintf(buf, sizeof buf, "%.17g\n", v);
      a << buf;
    }
    std::ofstream t(dir / "targets.txt");
    for (double v : targets) {
      std::snprintf(buf, sizeof buf, "%.17g\n", v);
      t << buf;
    }
  }
  const auto r = run(python() + " " + python_script("drill_nearest.py") + " " + (dir / "axis.txt") +
                     " " + (dir / "targets.txt"));
  EXPECT_EQ(r.status, 0);
  std::vector<long> out;
  for (const auto& line : lines(r.out)) out.push_back(std::stol(line));
  return out;
}

// Exact midpoints between neighbouring centres (in double and rounded to
// float32), the centres themselves and points just beside them.
std::vector<double> tricky_targets(const catalog::Axis& a, size_t every) {
  std::vector<double> t;
  for (size_t i = 0; i + 1 < a.size(); i += every) {
    const double mid = (a.values[i] + a.values[i + 1]) / 2;
    t.push_back(mid);
    t.push_back(static_cast<double>(static_cast<float>(mid)));
    t.push_back(std::nextafter(mid, 1e9));
    t.push_back(std::nextafter(mid, -1e9));
    t.push_back(a.values[i]);
    t.push_back(a.values[i] + 0.004);
  }
  // Up to half a step beyond either edge: xarray returns the edge pixel.
  const double lo = a.min(), hi = a.max();
  for (double d : {0.0, 0.001, 0.009, 0.00999}) {
    t.push_back(lo - d);
    t.push_back(hi + d);
  }
  return t;
}

void expect_same_as_xarray(const catalog::Axis& axis, size_t every) {
  const auto targets = tricky_targets(axis, every);
  const auto expected = xarray_nearest(axis, targets);
  ASSERT_EQ(expected.size(), targets.size());
  size_t checked = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto got = axis.nearest(targets[i]);
    ASSERT_TRUE(got.has_value()) << "target " << targets[i];
    EXPECT_EQ(static_cast<long>(*got), expected[i]) << axis.name << " target %.17g " << targets[i];
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace

TEST(GridAxis, NearestMatchesXarrayOnDescendingFloat32Latitudes) {
  expect_same_as_xarray(float32_axis("lat", 19.99, -0.02, 4500), 37);
}

TEST(GridAxis, NearestMatchesXarrayOnAscendingFloat32Longitudes) {
  expect_same_as_xarray(float32_axis("lon", 70.01, 0.02, 6000), 53);
}

TEST(GridAxis, NearestMatchesXarrayOnDoubleAxes) {
  catalog::Axis a;
  a.name = "x";
  for (int i = 0; i < 200; ++i) a.values.push_back(10.0 - 0.25 * i);
  expect_same_as_xarray(a, 3);
}

TEST(GridAxis, NearestRefusesTargetsMoreThanHalfAStepOutside) {
  const auto lat = float32_axis("lat", 19.99, -0.02, 4500);
  EXPECT_EQ(lat.nearest(20.0).value(), 0u);
  EXPECT_EQ(lat.nearest(-69.999).value(), 4499u);
  EXPECT_FALSE(lat.nearest(20.01).has_value());
  EXPECT_FALSE(lat.nearest(-70.01).has_value());
  EXPECT_FALSE(lat.nearest(std::nan("")).has_value());
}

TEST(GridAxis, RangeSelectsCentresInsideOnEitherDirection) {
  const auto lat = float32_axis("lat", 19.99, -0.02, 4500);
  const auto r = lat.range(-32.05, -31.95);
  ASSERT_TRUE(r);
  EXPECT_NEAR(lat.values[r->first], -31.95, 1e-5);
  EXPECT_NEAR(lat.values[r->second], -32.05, 1e-5);
  EXPECT_EQ(r->second - r->first, 5u);
  EXPECT_FALSE(lat.range(30, 40).has_value());
}

TEST(Grid, FingerprintAndDescriptionFollowTheCoordinates) {
  catalog::Grid a{float32_axis("lat", 19.99, -0.02, 45), float32_axis("lon", 70.01, 0.02, 60)};
  catalog::Grid b = a;
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  b.lon.values[3] += 1e-6;
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.describe().substr(0, 7), "45 x 60");
  EXPECT_NE(a.describe().find("lat 19.99..19.11"), std::string::npos) << a.describe();
}

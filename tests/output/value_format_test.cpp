// A column's values print as printf("%.*f") would print them (then trailing
// zeros dropped): the integer fast path of output::ValueFormat gives the same
// text as snprintf for packed values, halves, negatives and magnitudes near
// its limits.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "output/format_number.h"

namespace {

using pixeldrill::drill::Column;
using pixeldrill::drill::Digits;
using pixeldrill::output::kNumberMax;
using pixeldrill::output::Precision;
using pixeldrill::output::ValueFormat;

Column quantum_column(double quantum) {
  Column c;
  c.digits = Digits::kQuantum;
  c.quantum = quantum;
  return c;
}

// The text ValueFormat must give, from C's printf.
std::string printf_text(double v, int decimals) {
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (decimals > 0) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string format(const ValueFormat& f, double v) {
  char buf[kNumberMax];
  return std::string(buf, f.write(buf, v));
}

struct Case {
  double quantum;
  int decimals;  // what one decimal past the quantum's first digit makes
};
constexpr Case kCases[] = {{0.01, 3}, {0.005, 3}, {0.001, 4}, {1e-4, 5}, {0.1, 2},
                           {1, 1},    {10, 0},    {0.03, 2},  {2e-9, 9}, {1e-12, 13}};

TEST(ValueFormat, PackedValuesPrintAsPrintfPrintsThem) {
  std::mt19937_64 random(7);
  for (const auto& c : kCases) {
    const ValueFormat f(quantum_column(c.quantum), Precision::kData);
    std::uniform_int_distribution<int> packed(-32768, 32767);
    for (const double offset : {0.0, 273.15, -5.0, 1e5}) {
      for (int i = 0; i < 20000; ++i) {
        const double v = packed(random) * c.quantum + offset;
        ASSERT_EQ(format(f, v), printf_text(v, c.decimals)) << v << " quantum " << c.quantum;
      }
    }
  }
}

TEST(ValueFormat, HalvesAndNearHalvesRoundAsPrintfRoundsThem) {
  // 0.125 and 2.5 are exact halves in binary (printf rounds them to even);
  // their neighbours one ulp away round away from the half.
  for (const auto& c : kCases) {
    const ValueFormat f(quantum_column(c.quantum), Precision::kData);
    const double step = std::pow(10.0, -c.decimals);
    for (int k = -2000; k <= 2000; ++k) {
      const double half = (k + 0.5) * step;
      for (const double v : {half, std::nextafter(half, 1e300), std::nextafter(half, -1e300)}) {
        ASSERT_EQ(format(f, v), printf_text(v, c.decimals)) << v << " quantum " << c.quantum;
      }
    }
  }
}

TEST(ValueFormat, ZeroNegativesAndLargeMagnitudesPrintAsPrintf) {
  const ValueFormat f(quantum_column(0.01), Precision::kData);
  for (const double v : {0.0, -0.0, -0.0004, 0.0004, -0.0006, 0.0006, -1.0, 1e9, -1e9, 2147483.647,
                         2147483.648, -2147483.649, 214748364.8, 1e14, -9.99e14, 123456789.0125}) {
    EXPECT_EQ(format(f, v), printf_text(v, 3)) << v;
  }
  char buf[kNumberMax];
  EXPECT_EQ(f.write(buf, std::nan("")), buf);  // missing: an empty field
  EXPECT_EQ(format(f, INFINITY), "inf");
}

// Integers print without decimals, float32 storage as its shortest float32
// text, everything else (and --precision full) as the double's shortest
// round-trip text.
TEST(ValueFormat, EachKindOfColumnPrintsItsDigits) {
  Column integer, float32, plain;
  integer.digits = Digits::kInteger;
  float32.digits = Digits::kFloat32;
  auto shortest = [](auto x) {
    char buf[kNumberMax];
    return std::string(buf, std::to_chars(buf, buf + kNumberMax, x).ptr);
  };
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> any(-400, 400);
  for (int i = 0; i < 2000; ++i) {
    const double v = any(random), whole = std::round(v) + 0.0;  // no -0
    EXPECT_EQ(format(ValueFormat(integer, Precision::kData), whole), printf_text(whole, 0));
    EXPECT_EQ(format(ValueFormat(integer, Precision::kData), v), shortest(v));
    EXPECT_EQ(format(ValueFormat(float32, Precision::kData), v), shortest(static_cast<float>(v)));
    EXPECT_EQ(format(ValueFormat(plain, Precision::kData), v), shortest(v));
    for (const auto* column : {&integer, &float32, &plain}) {
      EXPECT_EQ(format(ValueFormat(*column, Precision::kFull), v), shortest(v));
    }
  }
  EXPECT_EQ(format(ValueFormat(float32, Precision::kData), 290.1300048828125), "290.13");
  EXPECT_EQ(format(ValueFormat(quantum_column(0.01), Precision::kFull), 290.13000000000005),
            "290.13000000000005");
}

}  // namespace

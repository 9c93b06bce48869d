// What writing a drill's rows as CSV costs per row, for the shapes a server
// and the CLI answer most: one point's daily series (the served 10-year
// point: 3,557 rows) and 200 stations' series. docs/store.md, "Dirty vector
// registers, CSV values".
//   build/csv_rows_cost
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "drill/series.h"
#include "output/table_writers.h"

namespace {

using pixeldrill::drill::Series;

Series daily_series(int days, int sites) {
  Series s;
  pixeldrill::drill::Column sst;
  sst.name = "sea_surface_temperature";
  sst.units = "kelvin";
  sst.digits = pixeldrill::drill::Digits::kQuantum;
  sst.quantum = 0.01;
  s.columns = {sst};
  const int64_t start = 1104537600;  // 2005-01-01
  for (int d = 0; d < days; ++d) {
    for (int k = 0; k < sites; ++k) {
      pixeldrill::drill::Row row;
      row.time = start + int64_t{d} * 86400;
      row.site = sites == 1 ? "point" : "st" + std::to_string(k);
      row.lat = static_cast<double>(static_cast<float>(-32.01 + 0.02 * k));
      row.lon = static_cast<double>(static_cast<float>(114.99 + 0.02 * k));
      // Packed int16 * 0.01 + 273.15, one day in ten missing (cloud).
      row.values.push_back((d + k) % 10 == 3 ? Series::kMissing
                                             : 273.15 + 0.01 * ((d * 37 + k * 11) % 2500));
      s.rows.push_back(std::move(row));
    }
  }
  return s;
}

void measure(const char* what, const Series& s) {
  constexpr int kRuns = 200;
  size_t bytes = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) bytes += pixeldrill::output::to_csv(s, {}).size();
  const std::chrono::duration<double, std::nano> d = std::chrono::steady_clock::now() - t0;
  std::printf("%-28s %7zu rows  %7.1f ns/row  %6.1f us/table  %zu bytes\n", what, s.rows.size(),
              d.count() / kRuns / static_cast<double>(s.rows.size()), d.count() / kRuns / 1000,
              bytes / kRuns);
}

}  // namespace

int main() {
  measure("point, 10 years daily", daily_series(3557, 1));
  measure("200 stations, 1 year daily", daily_series(365, 200));
  return 0;
}

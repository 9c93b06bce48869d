// In-process latency of `drill STORE` (no process start-up, no output
// formatting): open the store as a DrillSource and drill one point over the
// whole range, N times; prints the median and minimum in milliseconds.
// usage: store_drill_latency STORE LAT LON [N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "drill/dataset.h"

int main(int argc, char** argv) {
  using namespace pixeldrill;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s STORE LAT LON [N]\n", argv[0]);
    return 2;
  }
  const int n = argc > 4 ? std::atoi(argv[4]) : 20;
  drill::Query q;
  q.sites.push_back({"", std::atof(argv[2]), std::atof(argv[3])});
  std::vector<double> ms;
  size_t rows = 0;
  try {
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto source = drill::open_dataset(argv[1]);
      const auto series = source->drill(q);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      rows = series.rows.size();
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%s: %zu rows, open + drill median %.2f ms, min %.2f ms (%d runs)\n", argv[1], rows,
              ms[ms.size() / 2], ms.front(), n);
  return 0;
}

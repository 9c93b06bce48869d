// In-process latency of a store drill (no process start-up, no output
// formatting).
//   store_drill_latency STORE LAT LON [N]
//     opens the store and drills one point over the whole range, N times
//     (open included); prints the median and minimum in milliseconds.
//   store_drill_latency STORE --random N [FROM TO]
//     opens the store ONCE (as a server keeps it) and drills N random ocean
//     points (pixels with at least one valid value), optionally over FROM..TO;
//     prints the median and p99 of one query in milliseconds.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/dataset.h"

namespace {
using namespace pixeldrill;

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

bool any_valid(const drill::Series& s) {
  for (const auto& r : s.rows) {
    if (!r.values.empty() && !std::isnan(r.values[0])) return true;
  }
  return false;
}

int random_points(const std::string& store, int n, const char* from, const char* to) {
  const auto dataset = drill::open_dataset(store);
  const auto info = dataset->info();
  const auto& lat = info->grid.lat.values;
  const auto& lon = info->grid.lon.values;
  drill::Query q;
  q.vars = {"sea_surface_temperature"};
  if (from) q.time.from = parse_iso8601(from, "FROM");
  if (to) q.time.to = parse_iso8601(to, "TO") + 86399;
  std::mt19937_64 rng(42);
  std::vector<double> ms;
  size_t rows = 0;
  int tries = 0;
  while (static_cast<int>(ms.size()) < n && tries++ < 50 * n) {
    q.sites = {{"", lat[rng() % lat.size()], lon[rng() % lon.size()]}};
    const auto t0 = std::chrono::steady_clock::now();
    const auto series = dataset->drill(q);
    const double took = ms_since(t0);
    if (!any_valid(series)) continue;  // land or never observed
    ms.push_back(took);
    rows += series.rows.size();
  }
  if (ms.empty()) throw Error(store + ": no ocean pixel found");
  std::sort(ms.begin(), ms.end());
  std::printf(
      "%s: %zu random ocean points on one opened store, %.0f rows each: median %.3f ms, p99 %.3f "
      "ms, max %.3f ms\n",
      store.c_str(), ms.size(), static_cast<double>(rows) / static_cast<double>(ms.size()),
      ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s STORE LAT LON [N] | STORE --random N [FROM TO]\n", argv[0]);
    return 2;
  }
  try {
    if (std::strcmp(argv[2], "--random") == 0) {
      return random_points(argv[1], std::atoi(argv[3]), argc > 4 ? argv[4] : nullptr,
                           argc > 5 ? argv[5] : nullptr);
    }
    const int n = argc > 4 ? std::atoi(argv[4]) : 20;
    drill::Query q;
    q.sites.push_back({"", std::atof(argv[2]), std::atof(argv[3])});
    std::vector<double> ms;
    size_t rows = 0;
    for (int i = 0; i < n; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto source = drill::open_dataset(argv[1]);
      const auto series = source->drill(q);
      ms.push_back(ms_since(t0));
      rows = series.rows.size();
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%s: %zu rows, open + drill median %.2f ms, min %.2f ms (%d runs)\n", argv[1], rows,
                ms[ms.size() / 2], ms.front(), n);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

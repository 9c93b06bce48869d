// What checking the chunk CRC-32C blocks costs an index drill, in process:
//   crc_cost_bench INDEX LAT LON [RUNS]
// Drills the point over every file of INDEX with the index as written and
// with its block checksums removed (no checking), alternating, RUNS times
// each; prints both medians and the overhead. Also a box over the first
// file's grid centre (whole chunks inflated).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "drill/index_dataset.h"
#include "index/collection_index.h"

namespace {
using namespace pixeldrill;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void compare(const std::string& path, const index::CollectionIndex& with,
             const index::CollectionIndex& without, const drill::Query& q, int runs,
             const char* what) {
  std::vector<double> a, b;
  for (int i = 0; i < runs; ++i) {
    // Alternating which goes first, so neither gains from the other's warm-up.
    for (int j = 0; j < 2; ++j) {
      const int k = (i + j) % 2;
      drill::IndexDataset source(path, k == 0 ? with : without, drill::IndexDrillOptions{});
      const auto t0 = std::chrono::steady_clock::now();
      const auto s = source.drill(q);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!s.problems.empty()) throw Error(path + ": " + s.problems[0].message());
      (k == 0 ? a : b).push_back(ms);
    }
  }
  const double checked = median(a), unchecked = median(b);
  std::printf("%s: checked %.2f ms, unchecked %.2f ms, overhead %+.1f%% (%d runs each)\n", what,
              checked, unchecked, 100.0 * (checked - unchecked) / unchecked, runs);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s INDEX LAT LON [RUNS]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int runs = argc > 4 ? std::atoi(argv[4]) : 21;
  try {
    const auto with = index::read_index(path);
    auto without = with;
    for (auto& f : without.files) {
      for (auto& v : f.vars) v.block_crcs.clear();
    }
    drill::Query point;
    point.sites.push_back({"", std::atof(argv[2]), std::atof(argv[3])});
    compare(path, with, without, point, runs, "point, every file");
    drill::Query box;
    box.box = drill::Box{std::atof(argv[2]) - 2, std::atof(argv[2]) + 2, std::atof(argv[3]) - 2,
                         std::atof(argv[3]) + 2};
    box.reduce = drill::Reduce::kMean;
    compare(path, with, without, box, std::max(3, runs / 3), "4 x 4-degree box mean, every file");
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

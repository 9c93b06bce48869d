// Opening a big chunk index and answering a one-day point query, in process:
//   index_open_bench INDEX FILES LAT LON YYYY-MM-DD [RUNS]
// Replicates INDEX's entries (same paths, so the files exist and match) to
// FILES entries, each copy shifted in time past the original's span, writes
// it next to INDEX (.big.pdx), then times read_index alone and read_index +
// one-day drill (median of RUNS). Prints one line per measure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/index_dataset.h"
#include "index/collection_index.h"

int main(int argc, char** argv) {
  using namespace pixeldrill;
  using Clock = std::chrono::steady_clock;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s INDEX FILES LAT LON YYYY-MM-DD [RUNS]\n", argv[0]);
    return 2;
  }
  const std::string base_path = argv[1];
  const size_t want = std::strtoull(argv[2], nullptr, 10);
  const int runs = argc > 6 ? std::atoi(argv[6]) : 11;
  try {
    const auto base = index::read_index(base_path);
    if (base.files.empty()) throw Error(base_path + ": no files");
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (const auto& f : base.files) {
      for (int64_t t : f.times) {
        first = std::min(first, t);
        last = std::max(last, t);
      }
    }
    const int64_t span = last - first + 86400;
    index::CollectionIndex big = base;
    big.files.clear();
    big.files.reserve(want);
    // Copies go before the original in time, so the queried day stays the original's.
    const size_t copies = (want + base.files.size() - 1) / base.files.size();
    for (size_t c = copies; c-- > 0 && big.files.size() < want;) {
      for (const auto& f : base.files) {
        if (big.files.size() == want) break;
        index::FileEntry e = f;
        for (auto& t : e.times) t -= static_cast<int64_t>(c) * span;
        big.files.push_back(std::move(e));
      }
    }
    const std::string path = base_path + ".big.pdx";
    index::write_index(big, path);
    drill::Query q;
    q.sites.push_back({"", std::atof(argv[3]), std::atof(argv[4])});
    const int64_t day = parse_iso8601(argv[5], "day");
    q.time.from = day;
    q.time.to = day + 86399;
    std::vector<double> open_ms, query_ms;
    size_t rows = 0;
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      auto idx = index::read_index(path);
      open_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      t0 = Clock::now();
      drill::IndexDataset source(path, index::read_index(path), drill::IndexDrillOptions{});
      rows = source.drill(q).rows.size();
      query_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(open_ms.begin(), open_ms.end());
    std::sort(query_ms.begin(), query_ms.end());
    std::printf(
        "%zu-file index (%.1f MB): open median %.2f ms; open + one-day drill median %.2f ms"
        " (%zu rows, %d runs)\n",
        big.files.size(), std::filesystem::file_size(path) / 1e6, open_ms[open_ms.size() / 2],
        query_ms[query_ms.size() / 2], rows, runs);
    std::filesystem::remove(path);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

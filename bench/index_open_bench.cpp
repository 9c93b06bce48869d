// Opening a big chunk index and answering a one-day point query, in process:
//   index_open_bench INDEX FILES LAT LON YYYY-MM-DD [RUNS]
// Replicates INDEX's entries (same paths, so the files exist and match) to
// FILES entries, each copy shifted in time past the original's span, writes
// it next to INDEX (.big.pdx), then times, median of RUNS, wall and process CPU:
//   - open: MappedIndex::open (format 3: header, block CRC table, metadata);
//   - open + one-day drill: IndexDataset over the mapped index, the CLI's path;
//   - full decode: read_index (every entry, every block checked), what opening
//     cost before format 3 (and still costs `info`, `refs`, `index`).
// Prints one line; bench/millisecond.py parses "open median" and
// "one-day drill median".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/index_dataset.h"
#include "index/collection_index.h"
#include "index/mapped_index.h"

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
    // The oldest copy is the one cut short, so the original (the queried day) is whole.
    size_t skip = copies * base.files.size() - want;
    for (size_t c = copies; c-- > 0;) {
      for (const auto& f : base.files) {
        if (skip > 0) {
          --skip;
          continue;
        }
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
    auto cpu_ms = [] {
      timespec ts{};
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
      return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    };
    struct Sample {
      std::vector<double> wall, cpu;
      void add(Clock::time_point t0, double c0, double c1) {
        wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        cpu.push_back(c1 - c0);
      }
      static double median(std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
      }
    } open, query, decode;
    size_t rows = 0;
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      double c0 = cpu_ms();
      auto mapped = index::MappedIndex::open(path);
      open.add(t0, c0, cpu_ms());
      t0 = Clock::now();
      c0 = cpu_ms();
      drill::IndexDataset source(path, index::MappedIndex::open(path), drill::IndexDrillOptions{});
      rows = source.drill(q).rows.size();
      query.add(t0, c0, cpu_ms());
      if (i < 3) {  // seconds each: three are enough
        t0 = Clock::now();
        c0 = cpu_ms();
        const auto whole = index::read_index(path);
        decode.add(t0, c0, cpu_ms());
      }
    }
    if (rows == 0) throw Error("the one-day query found no row: pick a day the index holds");
    std::printf(
        "%zu-file index (%.1f MB, format %u): open median %.3f ms (%.3f ms CPU); open + one-day "
        "drill median %.2f ms (%.2f ms CPU; %zu rows, %d runs); full decode (read_index) median "
        "%.0f ms (%.0f ms CPU)\n",
        big.files.size(), std::filesystem::file_size(path) / 1e6, index::kFormatVersion,
        Sample::median(open.wall), Sample::median(open.cpu), Sample::median(query.wall),
        Sample::median(query.cpu), rows, runs, Sample::median(decode.wall),
        Sample::median(decode.cpu));
    std::filesystem::remove(path);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}

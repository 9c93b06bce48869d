// `pixeldrill info SOURCE`: a human summary of a chunk index, a folder (or
// glob, or file) of NetCDF files or a store: what it holds, its time span and
// gaps, grid and variables.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/dataset.h"
#include "index/collection_index.h"
#include "index/mapped_index.h"
#include "index/verify.h"

namespace pixeldrill::cli {
namespace {

// Dates for daily and slower products, full UTC times when steps are shorter
// than a day (a 4-hourly product has six steps per date).
bool g_sub_daily = false;
std::string day(int64_t t) {
  return g_sub_daily ? format_iso8601(t) : format_iso8601(t).substr(0, 10);
}

bool sub_daily(const std::vector<int64_t>& times) {
  for (size_t i = 1; i < times.size(); ++i)
    if (times[i] - times[i - 1] < 86400) return true;
  return false;
}

void print_gaps(const std::vector<int64_t>& times) {
  if (times.size() < 3) return;
  std::vector<int64_t> steps;
  for (size_t i = 1; i < times.size(); ++i) steps.push_back(times[i] - times[i - 1]);
  std::vector<int64_t> sorted = steps;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const int64_t step = sorted[sorted.size() / 2];
  if (step <= 0) return;
  size_t gaps = 0, missing = 0;
  std::string listed;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] * 2 <= step * 3) continue;
    const int64_t n = steps[i] / step - 1;
    ++gaps;
    missing += static_cast<size_t>(std::max<int64_t>(n, 1));
    if (gaps <= 20) {
      listed += "    " + day(times[i] + step) + " .. " + day(times[i + 1] - step) + " (" +
                std::to_string(std::max<int64_t>(n, 1)) + " missing)\n";
    }
  }
  std::printf("gaps:       %zu (%zu time steps missing at a step of %lld s)\n", gaps, missing,
              static_cast<long long>(step));
  std::fputs(listed.c_str(), stdout);
  if (gaps > 20) std::printf("    ... and %zu more\n", gaps - 20);
}

int run_info(const std::string& path) {
  const auto mapped = index::MappedIndex::open(path);
  const auto idx = mapped->decode_all();
  std::set<int64_t> time_set;
  uint64_t bytes = 0, chunks = 0;
  for (const auto& f : idx.files) {
    time_set.insert(f.times.begin(), f.times.end());
    bytes += f.size;
    for (const auto& v : f.vars) chunks += v.chunks.size();
  }
  const std::vector<int64_t> times(time_set.begin(), time_set.end());
  g_sub_daily = sub_daily(times);
  std::printf("index:      %s (format version %u%s)\n", path.c_str(), mapped->version(),
              mapped->version() < index::kFormatVersion
                  ? "; re-run pixeldrill index to upgrade it: newer versions open faster"
                  : "");
  std::printf("collection: %s\n", idx.collection.c_str());
  std::printf("files:      %zu (%.1f MB, %llu chunks)\n", idx.files.size(), bytes / 1e6,
              static_cast<unsigned long long>(chunks));
  if (!times.empty()) {
    std::printf("time span:  %s .. %s (%zu time steps)\n", format_iso8601(times.front()).c_str(),
                format_iso8601(times.back()).c_str(), times.size());
  }
  print_gaps(times);
  std::printf("grids:      %zu\n", idx.grids.size());
  for (size_t g = 0; g < idx.grids.size(); ++g) {
    std::printf("  [%zu] %s\n", g, idx.grids[g].describe().c_str());
  }
  std::printf("layouts:    %zu\n", idx.layouts.size());
  for (size_t l = 0; l < idx.layouts.size(); ++l) {
    const auto& layout = idx.layouts[l];
    size_t count = 0;
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (const auto& f : idx.files) {
      if (f.layout != l) continue;
      ++count;
      for (int64_t t : f.times) {
        first = std::min(first, t);
        last = std::max(last, t);
      }
    }
    std::printf("  [%zu] %zu files", l, count);
    if (count && first <= last) std::printf(", %s .. %s", day(first).c_str(), day(last).c_str());
    std::printf(", grid %u, %s\n", layout.grid, layout.describe().c_str());
    std::string vars;
    for (const auto& v : layout.vars) {
      if (v.dims.size() < 2) continue;
      vars += (vars.empty() ? "" : " ") + v.name;
      if (!v.unsupported.empty()) vars += " (unsupported: " + v.unsupported + ")";
    }
    std::printf("      variables: %s\n", vars.c_str());
  }
  if (!idx.problems.empty()) {
    std::printf("not indexed: %zu\n", idx.problems.size());
    for (const auto& p : idx.problems) std::printf("  %s\n", p.c_str());
  }
  return kExitOk;
}

std::string chunk_shape(const std::vector<uint64_t>& chunks) {
  std::string out;
  for (uint64_t c : chunks) out += (out.empty() ? "" : " x ") + std::to_string(c);
  return out;
}

// The same summary for a folder of NetCDF files or a store, from what the
// opened dataset describes (no chunk byte offsets: those are the index's).
int run_dataset_info(const drill::DatasetInfo& info) {
  g_sub_daily = sub_daily(info.times);
  const char* label = info.kind == "store" ? "store:     " : "collection:";
  std::printf("%s %s (%s)\n", label, info.source.c_str(),
              info.kind == "store" ? "Zarr store" : "NetCDF files");
  std::printf("time steps: %zu\n", info.times.size());
  if (!info.times.empty()) {
    std::printf("time span:  %s .. %s (%zu time steps)\n",
                format_iso8601(info.times.front()).c_str(),
                format_iso8601(info.times.back()).c_str(), info.times.size());
  }
  print_gaps(info.times);
  std::printf("grids:      1\n  [0] %s\n", info.grid.describe().c_str());
  std::printf("variables:  %zu\n", info.variables.size());
  for (const auto& v : info.variables) {
    std::printf("  %s: %s", v.name.c_str(), formats::storage_name(v.type));
    if (!v.chunks.empty()) std::printf(", chunks %s", chunk_shape(v.chunks).c_str());
    std::printf(", in %zu of %zu time steps", v.steps_present, info.times.size());
    if (!v.column.units.empty()) std::printf(", %s", v.column.units.c_str());
    std::printf("\n");
  }
  if (!info.problems.empty()) {
    std::printf("not readable: %zu\n", info.problems.size());
    for (const auto& p : info.problems) std::printf("  %s\n", p.message().c_str());
  }
  if (std::fflush(stdout) != 0) throw Error("standard output: write failed");
  return info.problems.empty() ? kExitOk : kExitPartial;
}

// Re-reads every indexed chunk; exit 1 when any file is damaged or changed.
int run_verify(const std::string& path, unsigned threads) {
  const auto idx = index::read_index(path);
  const auto t0 = std::chrono::steady_clock::now();
  const auto report = index::verify_index(idx, threads);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& p : report.problems) std::fprintf(stderr, "pixeldrill info: %s\n", p.c_str());
  if (std::printf("verified:   %zu files, %llu chunks, %.1f MB in %.2f s: %s\n", report.files,
                  static_cast<unsigned long long>(report.chunks), report.bytes / 1e6, s,
                  report.problems.empty()
                      ? "all checksums match"
                      : (std::to_string(report.problems.size()) + " damaged or changed").c_str()) <
          0 ||
      std::fflush(stdout) != 0) {
    throw Error("cannot write to standard output");
  }
  return report.problems.empty() ? kExitOk : kExitError;
}

struct InfoArgs {
  std::string path;
  bool verify = false;
  unsigned threads = 0;
};

Command make_info_command(CLI::App& root) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* app = root.add_subcommand(
      "info",
      "Summarise an index, a NetCDF collection or a store: time span, gaps, grid, variables");
  app->add_option("SOURCE", args->path, "index file, folder/glob/file of NetCDF files, or store")
      ->required();
  app->add_flag("--verify", args->verify,
                "Re-read every chunk and check it against the index (size, mtime, CRC-32C of "
                "every 64 KiB block, fletcher32, adler32); exit 1 naming each damaged file");
  app->add_option("--threads", args->threads, "Files checked in parallel (default: one per core)");
  return Command{app, [args] {
                   std::error_code ec;
                   if (!std::filesystem::is_regular_file(args->path, ec) ||
                       !index::is_index_file(args->path)) {
                     const auto dataset = drill::open_dataset(args->path);
                     const auto described = dataset->info();
                     if (args->verify) {
                       throw BadRequest("--verify checks an index; " + args->path + " is a " +
                                        described->kind + " source");
                     }
                     return run_dataset_info(*described);
                   }
                   if (!args->verify) return run_info(args->path);
                   const int info = run_info(args->path);
                   return std::max(info, run_verify(args->path, args->threads));
                 }};
}

const bool kRegistered = register_command(31, &make_info_command);

}  // namespace
}  // namespace pixeldrill::cli

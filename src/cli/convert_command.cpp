// `pixeldrill convert COLLECTION -o STORE`: rechunks a daily collection into a
// time-deep Zarr v2 store (see src/store/converter.h and docs/store.md).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/error.h"
#include "parallel/communicator.h"
#include "store/converter.h"
#include "store/time_chunk.h"

namespace pixeldrill::cli {
namespace {

struct ConvertArgs {
  store::ConvertOptions options;
  std::string chunks;
  std::string max_mem = "2G";
  std::string vars = "sea_surface_temperature,quality_level";
  bool quiet = false;
  std::string duplicates = "refuse";
};

int run(ConvertArgs& a) {
  auto& o = a.options;
  if (!a.chunks.empty()) {
    const auto parts = split_list(a.chunks);
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string& part = parts[i];
      if (i == 0 && part.find_first_not_of("0123456789") != std::string::npos) {
        store::parse_time_chunk(part);  // a duration: checked now, resolved by the cadence
        o.time_chunk = part;
        o.chunks.push_back(0);
        continue;
      }
      try {
        size_t used = 0;
        const long long v = std::stoll(part, &used);
        if (used != part.size() || v <= 0) throw std::invalid_argument(part);
        o.chunks.push_back(static_cast<uint64_t>(v));
      } catch (const std::exception&) {
        throw BadRequest("--chunks: '" + a.chunks + "' is not three positive lengths t,y,x");
      }
    }
  }
  o.max_mem = store::parse_size(a.max_mem);
  o.duplicates = catalog::parse_duplicate_policy(a.duplicates);
  o.vars = split_list(a.vars);
  o.progress = !a.quiet;
  // Under mpirun each rank writes its share of the time blocks; rank 0 reports.
  auto& comm = parallel::world();
  const auto report = store::convert(o, &comm);
  if (comm.rank() != 0) return kExitOk;
  for (const auto& p : report.problems)
    std::fprintf(stderr, "pixeldrill convert: skipped %s\n", p.c_str());
  if (!a.quiet) std::printf("%s\n", report.summary.c_str());
  if (const std::string traffic = describe(local_remote_traffic()); !traffic.empty() && !a.quiet) {
    const double objects = std::max<double>(1, report.objects_uploaded);
    std::fprintf(stderr,
                 "remote: %s; %llu chunk objects uploaded (%.2f MB), %.2f requests per "
                 "chunk object\n",
                 traffic.c_str(), static_cast<unsigned long long>(report.objects_uploaded),
                 report.bytes_uploaded / 1e6, io::http_counters().requests.load() / objects);
  }
  return report.problems.empty() ? kExitOk : kExitPartial;
}

Command make_convert_command(CLI::App& root) {
  auto args = std::make_shared<ConvertArgs>();
  auto& o = args->options;
  CLI::App* app = root.add_subcommand(
      "convert",
      "Rechunk a collection of daily NetCDF grids (a folder, glob, file, chunk index, or a "
      "remote collection on S3 or HTTP(S)) into a Zarr v2 store whose chunks run deep in "
      "time (fast pixel drills, readable by xarray.open_zarr); resumable after a crash, "
      "extendable with --append");
  add_remote_flags(app);
  app->add_option("COLLECTION", o.source,
                  "Folder (searched recursively), glob, file, an index from `pixeldrill index` "
                  "(local or remote files), or s3://BUCKET/PREFIX/, @urls.txt, a THREDDS "
                  "catalog.xml URL (indexed in memory first: `pixeldrill index` is faster for "
                  "big collections and is kept for the next convert)")
      ->required();
  app->add_option("-o,--output", o.store,
                  "Store folder or s3://BUCKET/PREFIX to create (or resume / append to)")
      ->required();
  app->add_option("--work-dir", o.work_dir,
                  "S3 stores: local folder for the lock, spool and chunks staged before upload "
                  "(default: ~/.cache/pixeldrill/convert/<store>)");
  app->add_option("--chunks", args->chunks,
                  "Chunk shape t,y,x; t is a step count or a duration (1y, 30d, 1m = a month, 12h) "
                  "turned into steps by the collection's cadence (default 1y,64,64: a year deep "
                  "in time, whatever the product's cadence, small in space)");
  app->add_option("--mode", o.mode,
                  "exact: float32 of each file's decoded value; packed: one fixed "
                  "scale/offset for the whole store in the source's integer type")
      ->capture_default_str();
  app->add_option("--max-mem", args->max_mem, "Memory budget, e.g. 2G, 512M")
      ->capture_default_str();
  app->add_option("--vars,--var", args->vars, "Comma-separated variables to store")
      ->capture_default_str();
  app->add_option("--codec", o.codec,
                  "Chunk compressor: blosc-lz4, blosc-zstd, zstd or none, optionally :LEVEL")
      ->capture_default_str();
  app->add_option("--reader", o.reader,
                  "How source chunks are read: direct (own parallel inflate) or netcdf "
                  "(netCDF-C, one thread); both give the same store")
      ->capture_default_str();
  app->add_option("--blosc-blocksize", o.blosc_blocksize,
                  "Blosc block size in bytes (0 = automatic); a pixel drill decodes whole blocks")
      ->capture_default_str();
  app->add_option("--threads", o.threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app->add_flag("--append", o.append,
                "Add time steps newer than the store's end (rewrites only the last partial "
                "time chunk); nothing changes when there are none");
  app->add_option("--duplicates", args->duplicates,
                  "Two files with the same time step: refuse (name both), first (sorted path) "
                  "or newest (modification time)")
      ->check(CLI::IsMember({"refuse", "first", "newest"}))
      ->capture_default_str();
  app->add_flag("-q,--quiet", args->quiet, "Do not print the summary line");
  return {app, [args] { return run(*args); }};
}

[[maybe_unused]] const bool kRegistered = register_command(40, &make_convert_command);

}  // namespace
}  // namespace pixeldrill::cli

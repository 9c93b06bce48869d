// `pixeldrill index COLLECTION -o INDEX`: build or update a chunk index.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/error.h"
#include "core/parallel.h"
#include "index/collection_index.h"
#include "index/indexer.h"
#include "io/registry.h"
#include "parallel/collective.h"
#include "parallel/local_processes.h"

namespace pixeldrill::cli {
namespace {

constexpr int kRemoteIndexProcesses = 16;

struct IndexArgs {
  std::string collection;
  std::string output;
  unsigned threads = 0;
  int processes = 0;  // 0: chosen by the kind of collection (default_processes)
  bool full = false;
  std::string vars;  // comma-separated; empty: every variable
};

// HDF5 reads one file at a time per process (one global lock), so a
// collection far away is indexed by several processes; see docs/remote.md
// for the measurement behind these numbers.
int default_processes(const std::string& collection) {
  if (parallel::launched_ranks() > 0) return 1;  // mpirun already started the ranks
  if (io::is_remote_spec(collection)) return kRemoteIndexProcesses;
  // Local files: one process per core (a year of files: 1.75 s with one
  // process, 0.49 s with two on 2 cores; its threads wait on the HDF5 lock).
  return static_cast<int>(std::min(default_threads(), 8u));
}

std::optional<index::CollectionIndex> read_previous(const IndexArgs& args, std::string* note) {
  std::optional<index::CollectionIndex> previous;
  const bool exists = io::is_remote(args.output) ? io::object_exists(args.output)
                                                 : std::filesystem::exists(args.output);
  if (!args.full && exists) {
    if (!index::is_index_file(args.output)) {
      throw Error(args.output + ": exists and is not a pixeldrill index; refusing to overwrite it");
    }
    try {
      previous = index::read_index(args.output);
    } catch (const Error& e) {
      *note = std::string(e.what()) + "; rebuilding from scratch";
    }
  }
  return previous;
}

int run_index(const IndexArgs& args) {
  // Under mpirun every rank reads the previous index and its share of the
  // files; rank 0 alone writes the result.
  parallel::start_local_processes(args.processes ? args.processes
                                                 : default_processes(args.collection));
  auto& comm = parallel::world();
  std::optional<index::CollectionIndex> previous;
  std::string note;
  parallel::collective_step(comm, [&] { previous = read_previous(args, &note); });
  if (!note.empty() && comm.rank() == 0) {
    std::fprintf(stderr, "pixeldrill index: %s\n", note.c_str());
  }
  index::IndexStats stats;
  const std::vector<std::string> variables = split_list(args.vars);
  const auto built = index::build_index(
      args.collection, previous ? &*previous : nullptr,
      index::IndexOptions{.threads = args.threads, .progress = true, .variables = variables},
      &stats, &comm);
  RemoteTraffic traffic = job_remote_traffic(comm);
  if (comm.rank() != 0) return kExitOk;
  // The index's own upload (rank 0, after the collective count) is added to it.
  const RemoteTraffic before = local_remote_traffic();
  index::write_index(built, args.output);
  traffic += local_remote_traffic() - before;
  std::fprintf(stderr,
               "indexed %zu files (%zu read, %zu unchanged, %zu dropped, %zu failed) in %.2f s"
               " (%.1f ms per file read) -> %s\n",
               built.files.size(), stats.scanned, stats.reused, stats.dropped, stats.failed,
               stats.seconds, stats.scanned ? 1000.0 * stats.seconds / stats.scanned : 0.0,
               args.output.c_str());
  if (const std::string said = describe(traffic); !said.empty()) {
    const double n = std::max<size_t>(stats.scanned, 1);
    std::fprintf(stderr, "remote: %s (%.1f requests, %.3f MB per file read)\n", said.c_str(),
                 static_cast<double>(traffic.requests) / n,
                 static_cast<double>(traffic.bytes) / 1e6 / n);
  }
  for (const auto& p : built.problems) std::fprintf(stderr, "  skipped: %s\n", p.c_str());
  return built.problems.empty() ? kExitOk : kExitPartial;
}

Command make_index_command(CLI::App& root) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* app = root.add_subcommand(
      "index",
      "Index every chunk of every NetCDF-4 file of a collection (incremental: an existing "
      "INDEX is updated, re-reading only new or changed files)");
  app->add_option("COLLECTION", args->collection,
                  "Folder (recursive), glob or file; s3://BUCKET/PREFIX/, @urls.txt, a THREDDS "
                  "catalog.xml URL")
      ->required();
  app->add_option("-o,--output", args->output, "Index file to write or update")->required();
  app->add_option("--threads", args->threads, "Parallel readers (default: one per core)")
      ->check(CLI::Range(0, 1024));
  app->add_option("--processes", args->processes,
                  "Processes reading files side by side, each with its own HDF5 (default: " +
                      std::to_string(kRemoteIndexProcesses) +
                      " for s3:// and https:// collections, else one per core, at most 8)")
      ->check(CLI::Range(1, 256));
  app->add_flag("--full", args->full, "Ignore an existing index and re-read every file");
  app->add_option("--vars,--var", args->vars,
                  "Comma-separated variables to index (default: all; the coordinates always). "
                  "Remotely each variable left out saves a request per file");
  add_remote_flags(app);
  return Command{app, [args] { return run_index(*args); }};
}

const bool kRegistered = register_command(30, &make_index_command);

}  // namespace
}  // namespace pixeldrill::cli

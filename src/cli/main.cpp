
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "parallel/collective.h"
#include "parallel/communicator.h"

namespace pixeldrill::cli {
namespace {
std::vector<std::pair<int, CommandFactory>>& registry() {
  static std::vector<std::pair<int, CommandFactory>> factories;
  return factories;
}

std::string g_command_line;

std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_.,/:=+@%") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

const std::string& command_line() { return g_command_line; }

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool register_command(int order, CommandFactory factory) {
  registry().emplace_back(order, factory);
  return true;
}

// The commands that split their work across the ranks of `mpirun`; any other
// would run whole on every rank, each writing the same output.
bool runs_distributed(const std::string& name) {
  return name == "drill" || name == "index" || name == "refs" || name == "convert";
}

// PIXELDRILL_RANK_STATS=1: each process (each rank under mpirun) says on
// stderr what it read and how long it ran (bench/mpi_scaling.sh sums them).
void print_rank_stats(const char* name, double seconds) {
  using namespace pixeldrill;
  if (!std::getenv("PIXELDRILL_RANK_STATS")) return;
  unsigned long long rchar = 0, read_bytes = 0;
  if (FILE* io = std::fopen("/proc/self/io", "r")) {
    char key[64];
    unsigned long long value = 0;
    while (std::fscanf(io, "%63[^:]: %llu\n", key, &value) == 2) {
      if (std::strcmp(key, "rchar") == 0) rchar = value;
      if (std::strcmp(key, "read_bytes") == 0) read_bytes = value;
    }
    std::fclose(io);
  }
  // CPU seconds as well: on a shared machine wall time says more about the
  // other jobs than about the work.
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const auto& comm = parallel::world();
  std::fprintf(stderr,
               "rank-stats %s rank=%d size=%d seconds=%.3f cpu=%.3f rchar=%llu read_bytes=%llu\n",
               name, comm.rank(), comm.size(), seconds, cpu, rchar, read_bytes);
}

// The exit status of a failed command; under MPI it ends the job coherently.
int fail(const char* name, const Error& e, bool collective) {
  using namespace pixeldrill;
  const int code = exit_code_for(e.kind());
  if (!parallel::distributed() || parallel::world().size() == 1) {
    std::fprintf(stderr, "pixeldrill %s: error: %s\n", name, e.what());
    return code;
  }
  auto& comm = parallel::world();
  if (collective) {
    // Every rank threw the same error: rank 0 says it once, all exit alike.
    if (comm.rank() == 0) std::fprintf(stderr, "pixeldrill %s: error: %s\n", name, e.what());
    comm.finalize();
    return code;
  }
  // This rank alone failed, outside a collective step: the others may be
  // waiting for it, so end the whole job rather than leave them hanging.
  std::fprintf(stderr, "pixeldrill %s: error: %s: %s\n", name, parallel::rank_name(comm).c_str(),
               e.what());
  comm.abort(code);
  return code;  // not reached: abort ends the process
}

}  // namespace pixeldrill::cli

int main(int argc, char** argv) {
  using namespace pixeldrill;
  cli::g_command_line = "pixeldrill";
  for (int i = 1; i < argc; ++i) cli::g_command_line += " " + cli::shell_word(argv[i]);
  // HDF5's at-exit shutdown is turned off where HDF5 is loaded
  // (formats/lazy_library.cpp), before its first call.
  CLI::App app{
      "pixeldrill: fast time series at points and small areas from gridded NetCDF archives",
      "pixeldrill"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pixeldrill 0.1.0");
  auto& factories = cli::registry();
  std::sort(factories.begin(), factories.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<cli::Command> commands;
  for (const auto& [order, factory] : factories) commands.push_back(factory(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    const char* name = command.app->get_name().c_str();
    if (const int ranks = parallel::launched_ranks(); ranks > 1 && !cli::runs_distributed(name)) {
      std::fprintf(stderr,
                   "pixeldrill %s: error: does not run under mpirun (%d ranks would each do the "
                   "whole job); only drill, index, refs and convert do\n",
                   name, ranks);
      return kExitUsage;
    }
    try {
      const auto started = std::chrono::steady_clock::now();
      const int status = command.run();
      cli::print_rank_stats(
          name, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      // Text printed with printf sits in stdio's buffer: a full disk or
      // /dev/full only shows up when it is flushed.
      if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        throw Error(std::string("standard output: write failed: ") + std::strerror(errno));
      }
      if (parallel::distributed()) parallel::world().finalize();
      return status;
    } catch (const parallel::CollectiveError& e) {
      return cli::fail(name, e, true);
    } catch (const Error& e) {
      return cli::fail(name, e, false);
    } catch (const std::exception& e) {
      if (!parallel::distributed()) {
        std::fprintf(stderr, "pixeldrill %s: internal error: %s\n", name, e.what());
        return kExitError;
      }
      return cli::fail(
          name, Error(ErrorKind::kInternal, std::string("internal error: ") + e.what()), false);
    }
  }
  return kExitUsage;
}

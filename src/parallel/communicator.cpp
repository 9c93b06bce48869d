#include "parallel/communicator.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "core/error.h"

namespace pixeldrill::parallel {
namespace {

int env_int(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : 0;
}

std::unique_ptr<Communicator>& the_world() {
  static std::unique_ptr<Communicator> world;
  return world;
}
bool g_mpi = false;

// The plugin sits beside the executable (build/ or the install's bin/);
// PIXELDRILL_MPI_PLUGIN names another.
std::string plugin_path() {
  if (const char* env = std::getenv("PIXELDRILL_MPI_PLUGIN"); env && *env) return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "libpixeldrill_mpi.so";
  return (exe.parent_path() / "libpixeldrill_mpi.so").string();
}

using OpenFn = Communicator* (*)(char* error, size_t error_size);

std::unique_ptr<Communicator> open_mpi(int ranks) {
  const std::string path = plugin_path();
  const auto unavailable = [&](const std::string& why) {
    return Error("started by an MPI launcher with " + std::to_string(ranks) +
                 " ranks, but MPI support is unavailable: " + why +
                 " (build with MPI found, or run without mpirun, or set PIXELDRILL_MPI=0 to "
                 "run every rank as a separate single process)");
  };
  // RTLD_GLOBAL: OpenMPI's own components (dlopened by libmpi) resolve
  // libmpi's symbols from the global scope.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) throw unavailable(std::string("cannot load ") + path + ": " + ::dlerror());
  auto open = reinterpret_cast<OpenFn>(::dlsym(handle, "pixeldrill_mpi_open"));
  if (!open) throw unavailable(path + " has no pixeldrill_mpi_open");
  char why[512] = {0};
  Communicator* comm = open(why, sizeof why);
  if (!comm) throw unavailable(path + ": " + why);
  return std::unique_ptr<Communicator>(comm);
}

}  // namespace

void SingleProcess::abort(int code) { std::_Exit(code); }

int launched_ranks() {
  if (const char* off = std::getenv("PIXELDRILL_MPI"); off && std::string(off) == "0") return 0;
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE",
                           "MPI_LOCALNRANKS"}) {
    if (const int n = env_int(name); n > 0) return n;
  }
  // PMIx (OpenMPI 5, Slurm --mpi=pmix) sets a rank before any size.
  return std::getenv("PMIX_RANK") ? 1 : 0;
}

Communicator& world() {
  static std::mutex m;
  std::lock_guard lock(m);
  auto& w = the_world();
  if (!w) {
    const int ranks = launched_ranks();
    if (ranks > 1) {
      w = open_mpi(ranks);
      g_mpi = true;
      // One progress bar: rank 0's, when the job's output is a terminal.
      if (!std::getenv("PIXELDRILL_PROGRESS")) {
        ::setenv("PIXELDRILL_PROGRESS", w->rank() == 0 && ::isatty(STDOUT_FILENO) ? "1" : "0", 1);
      }
    } else if (ranks == 1) {
      // `mpirun -np 1`: MPI when it is there, else the same single process.
      try {
        w = open_mpi(ranks);
        g_mpi = true;
      } catch (const Error&) {
        w = std::make_unique<SingleProcess>();
      }
    } else {
      w = std::make_unique<SingleProcess>();
    }
  }
  return *w;
}

bool distributed() { return g_mpi; }

bool world_started() { return the_world() != nullptr; }

void set_world(std::unique_ptr<Communicator> w) {
  auto& world = the_world();
  if (world) throw std::logic_error("set_world: the world is already set up");
  g_mpi = w->size() > 1;
  world = std::move(w);
}

std::string rank_name(const Communicator& comm) {
  return "rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size());
}

}  // namespace pixeldrill::parallel

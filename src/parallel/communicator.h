#pragma once
// The processes of one run: a single process, or the ranks of an MPI job
// (`mpirun -np N pixeldrill ...`). Heavy commands split their work by rank and
// gather it on rank 0, which alone writes the output, so the bytes out do not
// depend on N (docs/scaling.md).
//
// MPI is not linked into pixeldrill: when the environment says an MPI launcher
// started the process, world() loads the plugin libpixeldrill_mpi.so (built
// against the MPI found at build time, installed beside the executable) with
// dlopen. A plain `pixeldrill ...` never loads libmpi and its dependencies.
//
// Every call except rank()/size() is collective: all ranks make it, in the
// same order. This layer sits below everything but core/.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pixeldrill::parallel {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual void barrier() = 0;
  // On `root`: every rank's bytes in rank order; elsewhere: empty.
  virtual std::vector<std::string> gather(const std::string& bytes, int root) = 0;
  // `bytes` of `root` on every rank.
  virtual void broadcast(std::string& bytes, int root) = 0;
  // True on every rank when any rank passes true (the error flag).
  virtual bool any(bool flag) = 0;
  // Ends every rank of the job now with `code` (an error outside a collective step).
  [[noreturn]] virtual void abort(int code) = 0;
  // Called once before the process exits normally.
  virtual void finalize() {}
};

// One process; every collective is trivial.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void barrier() override {}
  std::vector<std::string> gather(const std::string& bytes, int) override { return {bytes}; }
  void broadcast(std::string&, int) override {}
  bool any(bool flag) override { return flag; }
  [[noreturn]] void abort(int code) override;
};

// How many processes an MPI launcher (OpenMPI, MPICH/Hydra, PMIx, Slurm PMI,
// MVAPICH) says it started, from its environment; 0 when none did or
// PIXELDRILL_MPI=0. Cheap: reads environment variables only.
int launched_ranks();

// The communicator of this run: SingleProcess without a launcher, else MPI
// through the plugin (initialised on first call). Throws Error when a
// launcher started several ranks but the plugin cannot be loaded.
Communicator& world();
// True once world() has several processes, MPI ranks or local processes
// (so main() knows to finalize or abort it).
bool distributed();
// Whether world() has been set up (first use, or set_world).
bool world_started();
// Makes `w` this run's world (parallel/local_processes.cpp); once, before
// world() is first used.
void set_world(std::unique_ptr<Communicator> w);

// rank/size as "rank R of N" for messages.
std::string rank_name(const Communicator& comm);

}  // namespace pixeldrill::parallel

#pragma once
// Several processes of one run on this machine, without MPI: `index
// --processes N` forks N-1 copies of itself that take shares of the files as
// MPI ranks would (index/index_shares.h), joined by socket pairs to rank 0.
//
// Why processes and not threads: HDF5 is built thread-safe with one global
// lock, and reading a remote file's chunk tables is a chain of small
// requests made under it, so threads index remote files one after the other
// (2.4 files/s at 50 ms round trips, docs/remote.md). Each process has its
// own HDF5.
#include <memory>

#include "parallel/communicator.h"

namespace pixeldrill::parallel {

// Forks `processes - 1` children; in each process (the caller is rank 0)
// world() is then the communicator of all of them. Call before any thread
// starts and before world() is first used; stdio buffers are flushed first
// so nothing written before is written twice. Throws Error when fork fails
// or when world() is already set up.
void start_local_processes(int processes);

}  // namespace pixeldrill::parallel

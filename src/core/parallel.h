#pragma once
// Runs fn(i) for i in [0, n) on up to `threads` threads, handing out indices
// dynamically so slow items (big files) do not stall a static partition.
// The first exception thrown by fn is rethrown after all threads stop.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pixeldrill {

// One per core; under mpirun the cores of a node are shared by the ranks
// the launcher placed on it (OpenMPI, MPICH/Hydra and Slurm say how many),
// and by `--processes N` (parallel/local_processes.h).
inline unsigned default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  unsigned local = 1;
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE",
                           "PIXELDRILL_LOCAL_RANKS"}) {
    if (const char* v = std::getenv(name); v && std::atoi(v) > 0) {
      local = static_cast<unsigned>(std::atoi(v));
      break;
    }
  }
  return hw == 0 ? 1 : std::max(1u, hw / local);
}

inline void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t count = std::min<size_t>(threads, n);
  for (size_t t = 0; t < count; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace pixeldrill

#pragma once
// Error handling across ranks without deadlock: a rank whose work fails must
// not leave the others waiting in a gather. Work runs inside collective_step:
// afterwards every rank learns (one allreduce) whether any failed, and if one
// did, every rank throws the same CollectiveError naming the first failing
// rank, so all of them exit with the same message and status.
#include <functional>
#include <string>

#include "core/error.h"
#include "parallel/communicator.h"

namespace pixeldrill::parallel {

// Thrown on every rank at once; main() prints it on rank 0 only.
class CollectiveError : public Error {
 public:
  CollectiveError(ErrorKind kind, const std::string& message) : Error(kind, message) {}
};

// Runs `work` on every rank, then agrees on failure: throws CollectiveError
// ("rank R of N: MESSAGE", kind of that error) on all ranks when any threw.
// With one rank the original error is rethrown unchanged.
void collective_step(Communicator& comm, const std::function<void()>& work);

// Contiguous share [begin, end) of `n` items for `rank` of `size` (earlier
// ranks take the extra items): ranks in order cover 0..n in order.
struct Share {
  size_t begin = 0, end = 0;
};
Share share_of(size_t n, int rank, int size);

}  // namespace pixeldrill::parallel

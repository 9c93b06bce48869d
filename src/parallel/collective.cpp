#include "parallel/collective.h"

#include <algorithm>
#include <exception>

namespace pixeldrill::parallel {

void collective_step(Communicator& comm, const std::function<void()>& work) {
  if (comm.size() == 1) {
    work();
    return;
  }
  std::string failure;  // kind digit + message, empty when fine
  try {
    work();
  } catch (const CollectiveError& e) {
    failure = std::to_string(static_cast<int>(e.kind())) + e.what();
  } catch (const Error& e) {
    failure = std::to_string(static_cast<int>(e.kind())) + rank_name(comm) + ": " + e.what();
  } catch (const std::exception& e) {
    failure =
        std::to_string(static_cast<int>(ErrorKind::kInternal)) + rank_name(comm) + ": " + e.what();
  }
  if (!comm.any(!failure.empty())) return;
  // Rank 0 picks the first failing rank's message and tells everyone.
  std::string chosen;
  const auto all = comm.gather(failure, 0);
  for (const auto& f : all) {
    if (!f.empty()) {
      chosen = f;
      break;
    }
  }
  comm.broadcast(chosen, 0);
  const auto kind = chosen.empty() ? ErrorKind::kInternal : static_cast<ErrorKind>(chosen[0] - '0');
  throw CollectiveError(kind, chosen.empty() ? "unknown failure" : chosen.substr(1));
}

Share share_of(size_t n, int rank, int size) {
  const size_t r = static_cast<size_t>(rank), s = static_cast<size_t>(size);
  const size_t base = n / s, extra = n % s;
  Share sh;
  sh.begin = r * base + std::min(r, extra);
  sh.end = sh.begin + base + (r < extra ? 1 : 0);
  return sh;
}

}  // namespace pixeldrill::parallel

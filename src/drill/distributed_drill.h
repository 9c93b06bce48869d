#pragma once
// One query answered by the ranks of an MPI job: split by sites when there
// are at least as many sites as ranks, else by contiguous time ranges; each
// rank drills its share and rank 0 puts the pieces back in the order one
// process would have produced them, so the output bytes do not depend on the
// number of ranks (docs/scaling.md).
#include "drill/dataset.h"
#include "parallel/communicator.h"

namespace pixeldrill::drill {

// On rank 0: the Series dataset.drill(query) gives in one process. On other
// ranks: an empty Series. Errors are collective (parallel::CollectiveError on
// every rank, naming the rank that failed).
Series drill_across(const Dataset& dataset, const Query& query, parallel::Communicator& comm);

// The bytes a rank sends to rank 0, and back.
std::string encode_series(const Series& series);
Series decode_series(const std::string& bytes);

}  // namespace pixeldrill::drill

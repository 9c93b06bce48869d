#pragma once
// One query answered by the ranks of an MPI job: split by sites when there
// are at least as many sites as ranks, else by contiguous time ranges; each
// rank drills its share and rank 0 puts the pieces back in the order one
// process would have produced them, so the output bytes do not depend on the
// number of ranks (docs/scaling.md).
#include "drill/block_drill.h"
#include "drill/dataset.h"
#include "drill/dataset_base.h"
#include "parallel/communicator.h"

namespace pixeldrill::drill {

// On rank 0: the Series dataset.drill(query) gives in one process. On other
// ranks: an empty Series. Errors are collective (parallel::CollectiveError on
// every rank, naming the rank that failed).
Series drill_across(const Dataset& dataset, const Query& query, parallel::Communicator& comm);

// drill_in_blocks() by the ranks of an MPI job: rank 0 plans the blocks
// (DatasetBase::schedule_blocks), every block is split across the ranks as
// drill_across() splits a whole query, and rank 0 gathers that block alone
// and hands it to `handler`, so rank 0 holds sites x (one block), not the
// whole series. On rank 0 returns what drill_in_blocks() returns; elsewhere
// an empty Series. The handler runs on rank 0 only. Errors are collective.
Series drill_in_blocks_across(const Dataset& dataset, const Query& query,
                              const BlockOptions& options, const BlockHandler& handler,
                              parallel::Communicator& comm);

// The time steps of a query known before it is drilled (a streamed block's),
// and the kind of source ("store", "index", "netcdf").
struct KnownSteps {
  std::vector<int64_t> times;
  std::string kind;
};

// What the ranks' shares of one query give on rank 0 (elsewhere: empty).
struct Gathered {
  Series series;            // rows in one process's order, problems, the readers' notes
  std::vector<bool> valid;  // which of make_plan(query, grid)'s pixels got a valid value
  catalog::Grid grid;
};
// `query` split across the ranks (not with --nearest-valid) and gathered on
// rank 0; `known`: its steps when known, else null (read from info()).
// Collective.
Gathered drill_shares(const DatasetBase& base, const Query& query, const KnownSteps* known,
                      parallel::Communicator& comm);

// The bytes a rank sends to rank 0, and back.
std::string encode_series(const Series& series);
Series decode_series(const std::string& bytes);

}  // namespace pixeldrill::drill

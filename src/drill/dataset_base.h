#pragma once
// The part of every backend that is the same: a query is resolved against
// what the dataset holds (drill/resolve.h), planned (drill/plan.h), read by
// the backend's QueryReader and finished by the SeriesBuilder. A backend
// implements only how it finds what a query needs and how it reads stored
// numbers.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drill/block_drill.h"
#include "drill/dataset.h"
#include "drill/plan.h"
#include "drill/series_builder.h"

namespace pixeldrill::drill {

// What one query reads: the plan's pixels for the builder's read variables.
struct ReadRequest {
  const Query& query;
  const Plan& plan;
  const std::vector<std::string>& variables;  // SeriesBuilder::read_variables()
};

// One query's view of a backend: created per query, so it may hold open
// files and per-query buffers without locking.
class QueryReader {
 public:
  virtual ~QueryReader() = default;
  // Grid and variables of the data this query reads (for the NetCDF
  // backend: of the files its time range selects).
  virtual const DatasetInfo& info() const = 0;
  // Reads every selected time step and hands it to the builder; files that
  // cannot be read are added to `problems`, not thrown.
  virtual void read(const ReadRequest& request, SeriesBuilder& builder,
                    std::vector<Problem>& problems) = 0;
  // Which path answered, for Series::source (e.g. "store X (2021-01-01..)").
  virtual std::string describe() const = 0;
  // Things worth saying that do not make the result partial.
  std::vector<std::string> notes;
};

// One rank's share of a query split across an MPI job (drill/distributed_drill.h).
struct DrillShare {
  Series series;            // without the notes on pixels that got no valid value:
  std::vector<bool> valid;  // which of the plan's pixels got one (said for the whole query)
  catalog::Grid grid;       // the grid the query was planned on
};

// The notes on the pixels of make_plan(query, grid) that got no valid value
// (`valid`, one flag per pixel), as a drill of the whole query says them.
std::vector<std::string> emptiness_notes(const Query& query, const catalog::Grid& grid,
                                         const std::vector<bool>& valid);

// What a streamed drill works out before reading any pixel
// (DatasetBase::schedule_blocks): shared by drill_blocks() and the ranks of
// drill_in_blocks_across() (drill/distributed_drill.h), so both cut a query
// into the same blocks and say the same head.
struct BlockSchedule {
  // Answered whole (it fits in one block, a reduced box, nothing in range):
  // by `reader`, as drill() would.
  bool whole = false;
  std::unique_ptr<QueryReader> reader;
  Series head;                 // no rows: every step's digits, source, attributes, site columns
  std::vector<int64_t> times;  // every step the query selects, ascending
  std::vector<std::pair<size_t, size_t>> blocks;  // [begin, end) of `times`
  std::vector<Column> columns;                    // as resolved for the whole query
  Plan plan;  // the query's pixels (before --nearest-valid's choice)
  catalog::Grid grid;

  // The query restricted to block `b`'s steps.
  Query block_query(const Query& query, const std::pair<size_t, size_t>& b) const;
};

// What a streamed drill carries from block to block: a problem or note every
// block meets is said once, as one whole drill says it, and a pixel counts as
// valid when any block gave it a value.
struct BlockTally {
  std::vector<Problem> problems;
  std::vector<std::string> notes;
  std::vector<bool> valid;
  void add(std::vector<Problem> found, std::vector<std::string> block_notes,
           const std::vector<bool>& got);
};

class DatasetBase : public Dataset {
 public:
  Series drill(const Query& query) const final;
  // drill() of a share of a query (not with --nearest-valid, whose choice of
  // pixel is over the whole query).
  DrillShare drill_share(const Query& query) const;
  std::shared_ptr<const DatasetInfo> info() const override;
  // drill() a block of time steps at a time (drill/block_drill.h).
  Series drill_blocks(const Query& query, const BlockOptions& options,
                      const BlockHandler& handler) const;
  // The blocks drill_blocks() cuts `query` into, from a first pass that reads
  // file metadata only.
  BlockSchedule schedule_blocks(const Query& query, const BlockOptions& options) const;

  // Reads a query's steps into a builder made elsewhere (the store answers
  // days newer than itself from its raw files this way). Throws Error when
  // the grid differs from `grid`.
  void read_into(const Query& query, const Plan& plan, const catalog::Grid& grid,
                 SeriesBuilder& builder, std::vector<Problem>& problems,
                 std::string& described) const;

 protected:
  virtual std::unique_ptr<QueryReader> reader_for(const Query& query) const = 0;
  // The query through one reader: resolve, plan, read, finish. With `share`,
  // which pixels got a value goes there instead of into notes.
  Series run(const Query& query, QueryReader& reader, DrillShare* share = nullptr) const;
  void set_info(std::shared_ptr<const DatasetInfo> info) const;
  // At most how many time steps `query` selects, without reading data:
  // decides whether a query needs blocks at all. Default: info()'s times.
  virtual size_t steps_bound(const Query& query) const;
  // Steps per time chunk (a store's), so blocks start where chunks do; 0: none.
  virtual size_t time_chunk_steps() const { return 0; }
  // Site columns (--keep-columns), the source's attributes and the reader's
  // notes put on a finished series: shared by run() and drill_blocks().
  static void describe_series(Series& series, const Query& query, const DatasetInfo& info);
  // The pixel_distance column of --nearest-valid, `km` per plan pixel.
  static void add_distances(Series& series, const std::vector<double>& km);

 private:
  mutable std::mutex info_mutex_;
  mutable std::shared_ptr<const DatasetInfo> info_;
};

}  // namespace pixeldrill::drill

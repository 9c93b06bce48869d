// drill_in_blocks_across() (drill/distributed_drill.h): a streamed drill whose
// every block is split across the ranks and gathered on rank 0 alone.
#include <string>
#include <utility>

#include "drill/distributed_drill.h"
#include "drill/netcdf_dataset.h"
#include "index/binary_io.h"
#include "parallel/collective.h"

namespace pixeldrill::drill {
namespace {

// What the other ranks need of rank 0's schedule: whether the query is
// answered whole, and else its steps, blocks and kind of source.
std::string encode_schedule(const BlockSchedule& s, const std::string& kind) {
  index::Writer w;
  w.u8(s.whole ? 1 : 0);
  w.str(kind);
  w.u64(s.times.size());
  for (const int64_t t : s.times) w.i64(t);
  w.u64(s.blocks.size());
  for (const auto& [b, e] : s.blocks) {
    w.u64(b);
    w.u64(e);
  }
  return w.data();
}

void decode_schedule(const std::string& bytes, BlockSchedule& s, std::string& kind) {
  index::Reader r(bytes.data(), bytes.size(), "block schedule from rank 0");
  s.whole = r.u8() != 0;
  kind = r.str();
  s.times.resize(r.count(8));
  for (auto& t : s.times) t = r.i64();
  s.blocks.resize(r.count(16));
  for (auto& [b, e] : s.blocks) {
    b = static_cast<size_t>(r.u64());
    e = static_cast<size_t>(r.u64());
    if (b >= e || e > s.times.size()) r.fail("block out of range");
  }
  if (!r.done()) r.fail("trailing bytes");
}

}  // namespace

Series drill_in_blocks_across(const Dataset& dataset, const Query& query,
                              const BlockOptions& options, const BlockHandler& handler,
                              parallel::Communicator& comm) {
  if (comm.size() == 1) return drill_in_blocks(dataset, query, options, handler);
  const bool root = comm.rank() == 0;
  const auto* base = dynamic_cast<const DatasetBase*>(&dataset);
  if (query.nearest_valid_km || !base) {
    // As drill_across(): rank 0 alone (--nearest-valid's pixels depend on
    // every step), still block by block.
    Series summary;
    parallel::collective_step(comm, [&] {
      if (root) summary = drill_in_blocks(dataset, query, options, handler);
    });
    return summary;
  }
  // Rank 0 alone reads the metadata pass; a failure there must not leave the
  // others waiting in the broadcast, so it is a step of its own.
  BlockSchedule s;
  KnownSteps known;
  std::string bytes;
  parallel::collective_step(comm, [&] {
    if (!root) return;
    s = base->schedule_blocks(query, options);
    known.kind = dynamic_cast<const NetcdfDataset*>(base) ? "netcdf" : base->info()->kind;
    bytes = encode_schedule(s, known.kind);
  });
  parallel::collective_step(comm, [&] {
    comm.broadcast(bytes, 0);
    if (!root) decode_schedule(bytes, s, known.kind);
  });
  s.reader.reset();
  Series summary;
  if (s.whole) {
    Series whole = drill_across(dataset, query, comm);
    parallel::collective_step(comm, [&] {
      if (root) summary = hand_whole(std::move(whole), handler);
    });
    return summary;
  }
  BlockTally tally;
  parallel::collective_step(comm, [&] {
    if (!root) return;
    for (const auto& why : s.plan.outside) tally.problems.push_back({"", "", why});
    tally.valid.assign(s.plan.pixels.size(), false);
    handler.begin(s.head, s.times);
  });
  for (const auto& b : s.blocks) {
    known.times.assign(s.times.begin() + static_cast<ptrdiff_t>(b.first),
                       s.times.begin() + static_cast<ptrdiff_t>(b.second));
    Gathered g = drill_shares(*base, s.block_query(query, b), &known, comm);
    parallel::collective_step(comm, [&] {
      if (!root) return;
      Series block = std::move(g.series);
      tally.add(std::exchange(block.problems, {}), std::exchange(block.notes, {}), g.valid);
      block.columns = s.head.columns;  // the digits of every step, not of this block's
      block.source = s.head.source;
      handler.rows(std::move(block));
    });
  }
  parallel::collective_step(comm, [&] {
    if (!root) return;
    summary = std::move(s.head);
    summary.problems = std::move(tally.problems);
    summary.notes = std::move(tally.notes);
    // Said once, for the whole query.
    const auto notes = emptiness_notes(query, s.grid, tally.valid);
    summary.notes.insert(summary.notes.end(), notes.begin(), notes.end());
  });
  return summary;
}

}  // namespace pixeldrill::drill

#pragma once
// A drill answered a block of time steps at a time, so that memory is bounded
// by sites x (one block) instead of sites x (every step): the rows of a block
// go to the caller (an output writer) and are freed before the next block is
// read. What a whole drill knows only at its end (the columns' digits, the
// source's description, which steps exist) comes from a first pass that reads
// every step with no pixel (file metadata only); what it learns while reading
// (problems, notes, which sites got a valid value) is carried across blocks and
// returned at the end, so the output is the same as dataset.drill(query)'s.
//
// A query that fits in one block is answered by dataset.drill() as before.
// Not streamed (answered whole): a reduced box (one row per step), and
// datasets other than the three backends.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "drill/dataset.h"

namespace pixeldrill::drill {

// Rows (sites x steps) a block may hold by default: about 300 bytes each while
// held (Row, values, site id) plus the reader's buffers and the block's text.
inline constexpr size_t kDefaultBlockRows = 1'000'000;
// The environment variable that overrides it (tests, benchmarks).
inline constexpr const char* kBlockRowsVariable = "PIXELDRILL_DRILL_BLOCK_ROWS";

// kDefaultBlockRows, or PIXELDRILL_DRILL_BLOCK_ROWS when set (a whole number
// >= 1; anything else is an Error naming the variable).
size_t default_block_rows();

struct BlockOptions {
  size_t block_rows = 0;  // 0: default_block_rows()
  // Steps with equal group(time) are never split across blocks (the start
  // of an --aggregate period); empty: any step may start a block.
  std::function<int64_t(int64_t)> group;
};

struct BlockHandler {
  // Once, before any rows: columns (with their final digits), source,
  // source_attributes, site columns (no rows, problems or notes yet), and
  // every time the rows will carry, ascending.
  std::function<void(const Series& head, const std::vector<int64_t>& times)> begin;
  // Each block's rows, in output order, with the head's columns.
  std::function<void(Series&& block)> rows;
};

// The query through `dataset` block by block. Returns what dataset.drill()
// returns, without its rows (problems, notes, source...). Throws as drill()
// does.
Series drill_in_blocks(const Dataset& dataset, const Query& query, const BlockOptions& options,
                       const BlockHandler& handler);
// A whole series handed to `handler` as one block; returns it without rows.
Series hand_whole(Series whole, const BlockHandler& handler);

// Blocks of `times` (ascending, distinct) as [begin, end) index ranges of at
// most `steps_per_block` steps (>= 1), except that equal group keys stay in
// one block and, when `chunk` is given and steps_per_block >= its
// chunk length, blocks end only where chunk(index) changes.
std::vector<std::pair<size_t, size_t>> plan_blocks(const std::vector<int64_t>& times,
                                                   size_t steps_per_block,
                                                   const std::function<int64_t(int64_t)>& group,
                                                   const std::function<size_t(size_t)>& chunk);

}  // namespace pixeldrill::drill

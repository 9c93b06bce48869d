#include "drill/block_drill.h"

#include <algorithm>
#include <string>

#include "core/env_number.h"
#include "core/error.h"
#include "drill/dataset_base.h"

namespace pixeldrill::drill {

size_t default_block_rows() {
  return static_cast<size_t>(
      env_whole_number(kBlockRowsVariable, kDefaultBlockRows, 1, "the rows one block may hold"));
}

std::vector<std::pair<size_t, size_t>> plan_blocks(const std::vector<int64_t>& times,
                                                   size_t steps_per_block,
                                                   const std::function<int64_t(int64_t)>& group,
                                                   const std::function<size_t(size_t)>& chunk) {
  const size_t n = times.size();
  const size_t per = std::max<size_t>(steps_per_block, 1);
  // A block may end before step c when c starts a new group and a new chunk.
  const auto may_end_before = [&](size_t c) {
    if (c == 0 || c >= n) return true;
    if (group && group(times[c]) == group(times[c - 1])) return false;
    return !chunk || chunk(c) != chunk(c - 1);
  };
  std::vector<std::pair<size_t, size_t>> blocks;
  for (size_t b = 0; b < n;) {
    size_t e = std::min(n, b + per);
    if (e < n) {
      // The latest allowed end within the budget; else the first after it
      // (a group longer than a block is one block).
      size_t c = e;
      while (c > b && !may_end_before(c)) --c;
      if (c == b) {
        c = e + 1;
        while (c < n && !may_end_before(c)) ++c;
      }
      e = c;
    }
    blocks.emplace_back(b, e);
    b = e;
  }
  return blocks;
}

Series hand_whole(Series whole, const BlockHandler& handler) {
  std::vector<Row> rows = std::move(whole.rows);
  whole.rows.clear();
  std::vector<int64_t> times;
  for (const auto& row : rows) times.push_back(row.time);
  // Usually in order already (a point's series): checking is O(n).
  if (!std::is_sorted(times.begin(), times.end())) std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  handler.begin(whole, times);
  Series block = whole;
  block.rows = std::move(rows);
  handler.rows(std::move(block));
  return whole;
}

Series drill_in_blocks(const Dataset& dataset, const Query& query, const BlockOptions& options,
                       const BlockHandler& handler) {
  if (const auto* base = dynamic_cast<const DatasetBase*>(&dataset)) {
    return base->drill_blocks(query, options, handler);
  }
  return hand_whole(dataset.drill(query), handler);
}

}  // namespace pixeldrill::drill

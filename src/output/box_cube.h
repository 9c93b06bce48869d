#pragma once
// A box over a time range as a (time, lat, lon) cube rather than a table:
// its size worked out from the dataset's description before anything is
// read, and its values streamed a block of whole time steps at a time
// through the ordinary drill (so every backend gives the same cube and
// memory does not grow with the time range).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "drill/dataset.h"
#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::output {

struct CubeLayout {
  std::vector<int64_t> times;  // the dataset's steps inside the range
  catalog::Axis lat, lon;      // the box's coordinates, in the source's order
  size_t row0 = 0, col0 = 0;   // where the box starts in the source grid
  std::vector<std::string> variables;
  std::vector<formats::StorageType> stored_types;  // as the dataset describes them
  uint64_t bytes = 0;  // uncompressed: values in their stored types plus coordinates

  // "365 x 40 x 50 (time x lat x lon), 2 variables, about 2.9 MB uncompressed"
  std::string describe() const;
};

// From info() alone (nothing read). Throws Error(kBadRequest) naming --box
// unless the query is a box without --reduce, and the resolve errors (unknown
// variable, box outside the grid) the drill itself would give.
CubeLayout plan_cube(const drill::Dataset& dataset, const drill::Query& query);

// Error(kTooLarge) giving the estimate when it exceeds max_bytes (0: no limit).
void check_cube_size(const CubeLayout& layout, uint64_t max_bytes);

// "1.5 GB" (powers of 1024, as --max-size reads them).
std::string format_bytes(uint64_t bytes);

// Values of a run of whole time steps: values[v][(t * rows + y) * cols + x],
// decoded (NaN when missing, masked or a fill), y and x in the layout's order.
struct CubeBlock {
  std::vector<int64_t> times;
  std::vector<std::vector<double>> values;
};

// Drills the box block by block (about `block_values` pixel-steps each) in
// time order and hands every block to `consume`. Returns what the blocks'
// drills said besides values: columns, problems, notes and source. Steps
// of skipped files are left out of the blocks.
drill::Series stream_cube(const drill::Dataset& dataset, const drill::Query& query,
                          const CubeLayout& layout,
                          const std::function<void(const CubeBlock&)>& consume,
                          size_t block_values = size_t{1} << 18);

// Per variable, the one packing every step of the range stores it with
// (read by a point drill at the box's first pixel, which touches every file
// of the range but one pixel of each), or nothing when they differ.
std::vector<std::optional<formats::Packing>> common_packings(const drill::Dataset& dataset,
                                                             const drill::Query& query,
                                                             const CubeLayout& layout);

}  // namespace pixeldrill::output

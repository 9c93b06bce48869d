#pragma once
// The rules every backend applies the same way, written once: which columns a
// query's variables give (and the message when one is missing everywhere),
// which time steps a range selects, "same grid" across files, and CF
// `_Unsigned`. The same bad query gets the same message whatever holds the data.
#include <cstdint>
#include <string>
#include <vector>

#include "catalog/grid.h"
#include "drill/dataset.h"
#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::drill {

// The variables a query reads, in SeriesBuilder::read_variables() order:
// Query::vars, then quality_level when --min-quality needs it.
std::vector<std::string> wanted_variables(const Query& query);

// One Column per Query::vars from the dataset's variables. Throws
// Error(kNotFound) naming the variable, the source and the variables it
// does have when a wanted variable is in none of its files (a variable
// present in some files only reads as missing elsewhere).
std::vector<Column> resolve_columns(const DatasetInfo& info, const Query& query);

// Indices of the times inside the range (times ascending or not).
std::vector<size_t> select_steps(const std::vector<int64_t>& times, const TimeRange& range);

// A file on another grid than the first one of the query: refused by name.
struct GridMember {
  std::string path;
  const catalog::Grid* grid = nullptr;
};
[[noreturn]] void throw_mixed_grids(const std::string& source, const GridMember& first,
                                    const std::vector<GridMember>& others, size_t total);

// CF `_Unsigned = "true"`: a reader that got signed numbers adds 2^bits to
// negative ones, as xarray does.
void reinterpret_unsigned(std::vector<double>& raw, formats::StorageType unsigned_type);

// Column description from CF attributes.
Column column_from_attributes(const std::string& name, const nlohmann::json& attributes);

}  // namespace pixeldrill::drill

#pragma once
// A reduced box (--box --reduce) as columns. A measured variable gives its
// statistic over the valid pixels and, beside it, VAR_count (how many pixels
// were valid). Flag variables are never averaged: a categorical one
// (flag_values, e.g. quality_level) gives, for mean, VAR_count and
// VAR_count_<value> per category (min/max stay ordinal statistics); a bit
// mask (flag_masks, e.g. l2p_flags) gives VAR_count and VAR_count_<meaning>
// per bit, whatever the reduction. --reduce count gives one count column per
// variable, named as the variable.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::drill {

struct ReducedColumn {
  enum class Kind { kStat, kCount, kFlagValue, kFlagMask };
  size_t var = 0;  // index into the query's columns
  Kind kind = Kind::kStat;
  int64_t flag = 0;  // kFlagValue: the category; kFlagMask: the bit mask
  std::string meaning;
};

std::vector<ReducedColumn> plan_reduction(const std::vector<Column>& columns, Reduce reduce);

// One time step: decoded[v][pixel] (NaN = not valid) -> one value per
// ReducedColumn, as the row holds them.
RowValues reduce_box(const std::vector<ReducedColumn>& plan, Reduce reduce,
                     const std::vector<std::vector<double>>& decoded);

// The output columns, from the query's columns (digits already set); adds
// CF cell_methods ("lat: lon: mean") for the statistics.
std::vector<Column> reduced_columns(const std::vector<ReducedColumn>& plan, Reduce reduce,
                                    const std::vector<Column>& columns,
                                    std::map<std::string, std::string>& cell_methods);

}  // namespace pixeldrill::drill

#pragma once
// The ONE place where stored numbers become a Series: CF decoding with each
// file's packing, the --min-quality mask, --celsius, box reduction and row
// order. Every drill path (netCDF-C reference, chunk index, Zarr store) reads
// raw values for the pixels of a Plan and hands them here, so all paths give
// bit-identical answers. Independent of netCDF-C and of any file format.
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/packing.h"
#include "drill/box_reduction.h"
#include "drill/plan.h"
#include "drill/query.h"
#include "drill/series.h"

namespace pixeldrill::drill {

// The stored numbers of one variable at one time step, for every plan pixel.
struct StoredValues {
  bool present = false;      // false: the variable is absent from this file -> missing
  catalog::Packing packing;  // that file's packing of the variable
  std::vector<double> raw;   // one per Plan::pixels entry, as stored (fills included)
};

// The GHRSST quality variable that --min-quality tests.
inline constexpr const char* kQualityVariable = "quality_level";

// The stored numbers of one variable at several time steps, for every plan
// pixel: raw[k * pixels + p] for step k (a view of the reader's buffer).
struct StoredColumn {
  bool present = false;
  catalog::Packing packing;
  std::span<const double> raw;
};

class SeriesBuilder {
 public:
  // `columns` describe Query::vars, in that order (units as stored; the
  // builder renames them for --celsius).
  SeriesBuilder(const Query& query, const Plan& plan, std::vector<Column> columns);

  // What an executor must read, in this order: Query::vars, then
  // quality_level when --min-quality needs it and it was not requested.
  const std::vector<std::string>& read_variables() const { return read_vars_; }

  // One time step. values[i] belongs to read_variables()[i]. Steps may come
  // in any order and from several threads; rows are ordered by (time, order)
  // and then plan pixel order. `order` breaks ties between equal times
  // (e.g. the file's index in the sorted collection).
  void add_step(int64_t time, const std::vector<StoredValues>& values, uint64_t order = 0);
  // Several steps at once, column-wise (one StoredColumn per read variable,
  // each with one packing for all these steps): what a store reader has. The
  // rows are made straight from the raw columns, with nothing per step but
  // the result's own rows.
  void add_steps(std::span<const int64_t> times, std::span<const uint64_t> orders,
                 std::span<const StoredColumn> values);

  // The distinct times after `t` that steps were added for, ascending.
  std::vector<int64_t> times_after(int64_t t);

  // The finished table; steps outside Query::time are dropped.
  Series finish(std::vector<Problem> problems, std::string source);

  // Per plan pixel: whether any step added gave it a valid value, i.e. a
  // value of a query variable other than quality_level (of quality_level
  // when it is the only one) after --min-quality. The rule of "no valid
  // value at ..." and of --nearest-valid (drill/nearest_valid.h).
  std::vector<bool> pixels_with_value();
  // Time steps added inside Query::time.
  size_t steps_added();
  // Only pixels_with_value() is wanted: rows are not kept.
  void count_only() { keep_rows_ = false; }

  // Whether --celsius converts this column (kelvin units and a CF
  // standard_name of an absolute temperature).
  static bool converts_to_celsius(const Column& column);

 private:
  bool reduced() const { return plan_.box && query_.reduce != Reduce::kNone; }

  size_t rows_per_step() const { return reduced() ? 1 : plan_.pixels.size(); }

  const Query& query_;
  const Plan& plan_;
  std::vector<Column> columns_;
  std::vector<bool> celsius_;
  std::vector<std::string> read_vars_;
  std::string point_site_;  // a single point's rows' site (kPointSite), else empty
  std::optional<size_t> quality_index_;
  std::mutex mutex_;
  // Rows in the order steps were added: step i owns rows_per_step() rows
  // from i * rows_per_step(). finish() reorders them only when the steps did
  // not arrive in (time, order) order.
  std::vector<Row> rows_;
  std::vector<int64_t> step_times_;
  std::vector<uint64_t> step_orders_;
  std::vector<std::vector<catalog::Packing>> packings_;  // distinct, per column
  // What the stored numbers of each column looked like, for Column::digits.
  struct Storage {
    bool packed = false, float32 = false, integer = false, other = false;
    double quantum = 0;  // finest |scale_factor| seen
  };
  std::vector<Storage> storage_;
  std::vector<ReducedColumn> reduction_;  // a reduced box's columns
  std::vector<bool> valid_columns_;       // which columns count for pixels_with_value()
  std::vector<bool> pixel_valid_;
  size_t steps_added_ = 0;
  bool keep_rows_ = true;
};

}  // namespace pixeldrill::drill

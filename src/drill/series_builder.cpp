#include "drill/series_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "drill/box_reduction.h"
#include "drill/resolve.h"

namespace pixeldrill::drill {
namespace {
constexpr double kKelvinAtZeroCelsius = 273.15;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
// Packing::operator== would call two NaN fills (a float store's) different.
bool same_number(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || *a == *b || (std::isnan(*a) && std::isnan(*b));
}

bool same_packing(const catalog::Packing& a, const catalog::Packing& b) {
  return a.type == b.type && same_number(a.fill_value, b.fill_value) &&
         same_number(a.missing_value, b.missing_value) &&
         same_number(a.scale_factor, b.scale_factor) && same_number(a.add_offset, b.add_offset);
}
}  // namespace

bool SeriesBuilder::converts_to_celsius(const Column& c) {
  const bool kelvin = c.units == "kelvin" || c.units == "K" || c.units == "Kelvin" ||
                      c.units == "degK" || c.units == "degrees_K" || c.units == "kelvins";
  // Differences in kelvin (sses_bias, dt_analysis) must not be shifted, so
  // only absolute temperatures by their CF standard name.
  return kelvin && ends_with(c.standard_name, "temperature");
}

SeriesBuilder::SeriesBuilder(const Query& query, const Plan& plan, std::vector<Column> columns)
    : query_(query),
      plan_(plan),
      columns_(std::move(columns)),
      read_vars_(wanted_variables(query)),
      point_site_(single_point(query) ? kPointSite : ""),
      storage_(columns_.size()) {
  if (columns_.size() != query.vars.size()) {
    throw std::logic_error("SeriesBuilder: one column per query variable expected");
  }
  for (auto& c : columns_) {
    const bool convert = query.celsius && converts_to_celsius(c);
    celsius_.push_back(convert);
    if (convert) c.units = kCelsiusUnits;
  }
  if (reduced()) reduction_ = plan_reduction(columns_, query.reduce);
  for (const auto& c : columns_) valid_columns_.push_back(c.name != kQualityVariable);
  if (std::find(valid_columns_.begin(), valid_columns_.end(), true) == valid_columns_.end()) {
    valid_columns_.assign(columns_.size(), true);
  }
  pixel_valid_.assign(plan.pixels.size(), false);
  if (query.min_quality) {
    const auto it = std::find(read_vars_.begin(), read_vars_.end(), kQualityVariable);
    quality_index_ = static_cast<size_t>(it - read_vars_.begin());
  }
}

void SeriesBuilder::add_step(int64_t time, const std::vector<StoredValues>& values,
                             uint64_t order) {
  std::vector<StoredColumn> columns(values.size());
  for (size_t v = 0; v < values.size(); ++v) {
    columns[v] = {values[v].present, values[v].packing, values[v].raw};
  }
  add_steps({&time, 1}, {&order, 1}, columns);
}

void SeriesBuilder::add_steps(std::span<const int64_t> times, std::span<const uint64_t> orders,
                              std::span<const StoredColumn> values) {
  const size_t npix = plan_.pixels.size();
  const size_t nvar = columns_.size();
  const size_t nread = read_vars_.size();
  if (values.size() != nread || orders.size() != times.size()) {
    throw std::logic_error("SeriesBuilder::add_steps: one StoredColumn per read variable expected");
  }
  for (const auto& sv : values) {
    if (sv.present && sv.raw.size() != times.size() * npix) {
      throw std::logic_error("SeriesBuilder::add_steps: one raw value per plan pixel expected");
    }
  }
  // One step's numbers, decoded[v][p]; reused for every step.
  std::vector<std::vector<double>> decoded(nread, std::vector<double>(npix, Series::kMissing));
  std::vector<bool> valid(npix, false);
  std::vector<Row> rows;
  std::vector<int64_t> kept_times;
  std::vector<uint64_t> kept_orders;
  size_t kept = 0;
  for (size_t k = 0; k < times.size(); ++k) {
    const int64_t time = times[k];
    if (!query_.time.contains(time)) continue;
    ++kept;
    for (size_t v = 0; v < nread; ++v) {
      const StoredColumn& sv = values[v];
      auto& out = decoded[v];
      if (!sv.present) {
        std::fill(out.begin(), out.end(), Series::kMissing);
        continue;
      }
      const double shift = v < nvar && celsius_[v] ? kKelvinAtZeroCelsius : 0.0;
      const double* raw = sv.raw.data() + k * npix;
      for (size_t p = 0; p < npix; ++p) {
        double x = sv.packing.decode(raw[p]);
        if (shift != 0) x -= shift;
        out[p] = x;
      }
    }
    if (quality_index_) {
      const auto& quality = decoded[*quality_index_];
      const double threshold = *query_.min_quality;
      for (size_t p = 0; p < npix; ++p) {
        // A missing quality fails the test, as xarray's where(q >= N) does.
        if (quality[p] >= threshold) continue;
        for (size_t v = 0; v < nvar; ++v) decoded[v][p] = Series::kMissing;
      }
    }
    for (size_t p = 0; p < npix; ++p) {
      for (size_t v = 0; v < nvar && !valid[p]; ++v) {
        if (valid_columns_[v] && !std::isnan(decoded[v][p])) valid[p] = true;
      }
    }
    if (!keep_rows_) continue;
    if (rows.empty()) {
      const size_t left = times.size() - k;
      rows.reserve(left * rows_per_step());
      kept_times.reserve(left);
      kept_orders.reserve(left);
    }
    kept_times.push_back(time);
    kept_orders.push_back(orders[k]);
    if (reduced()) {
      rows.push_back(Row{time, "", plan_.box_lat, plan_.box_lon,
                         reduce_box(reduction_, query_.reduce, decoded)});
      continue;
    }
    for (size_t p = 0; p < npix; ++p) {
      const PixelTarget& px = plan_.pixels[p];
      // Made in place from its fields: emplace_back() would zero-fill the
      // Row first (value-initialisation) and push_back(Row{...}) would move
      // its ~100 bytes. The values are appended in place too: a RowValues
      // passed in would be moved, an out-of-line copy per row.
      Row& row = rows.emplace_back(time, point_site_.empty() ? px.id : point_site_, px.lat, px.lon);
      for (size_t v = 0; v < nvar; ++v) row.values.push_back(decoded[v][p]);
    }
  }
  if (kept == 0) return;
  std::lock_guard lock(mutex_);
  steps_added_ += kept;
  for (size_t p = 0; p < npix; ++p) {
    if (valid[p]) pixel_valid_[p] = true;
  }
  if (!keep_rows_) return;
  // (By steps, not rows: a plan of no pixel, drill/block_drill.h, has steps but no rows.)
  if (step_times_.empty()) {
    rows_ = std::move(rows);
    step_times_ = std::move(kept_times);
    step_orders_ = std::move(kept_orders);
  } else {
    rows_.insert(rows_.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
    step_times_.insert(step_times_.end(), kept_times.begin(), kept_times.end());
    step_orders_.insert(step_orders_.end(), kept_orders.begin(), kept_orders.end());
  }
  packings_.resize(nvar);
  for (size_t v = 0; v < nvar; ++v) {
    if (!values[v].present) continue;
    const auto& pk = values[v].packing;
    const bool integer =
        pk.type != formats::StorageType::kFloat32 && pk.type != formats::StorageType::kFloat64;
    Storage& s = storage_[v];
    if (pk.scale_factor || pk.add_offset) {
      const double quantum = std::fabs(pk.scale_factor.value_or(1.0));
      if (quantum > 0)
        s.quantum = s.packed && s.quantum > 0 ? std::min(s.quantum, quantum) : quantum;
      s.packed = true;
    } else if (integer) {
      s.integer = true;
    } else if (pk.type == formats::StorageType::kFloat32) {
      s.float32 = true;
    } else {
      s.other = true;
    }
    auto& known = packings_[v];
    const auto same = [&](const catalog::Packing& p) { return same_packing(p, pk); };
    if (std::find_if(known.begin(), known.end(), same) == known.end()) known.push_back(pk);
  }
}

std::vector<bool> SeriesBuilder::pixels_with_value() {
  std::lock_guard lock(mutex_);
  return pixel_valid_;
}

size_t SeriesBuilder::steps_added() {
  std::lock_guard lock(mutex_);
  return steps_added_;
}

std::vector<int64_t> SeriesBuilder::times_after(int64_t t) {
  std::lock_guard lock(mutex_);
  std::vector<int64_t> out;
  for (const int64_t time : step_times_) {
    if (time > t) out.push_back(time);
  }
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Series SeriesBuilder::finish(std::vector<Problem> problems, std::string source) {
  std::lock_guard lock(mutex_);
  Series s;
  s.columns = columns_;
  for (size_t v = 0; v < columns_.size(); ++v) {
    const Storage& st = storage_[v];
    const int kinds = st.packed + st.integer + st.float32 + st.other;
    Column& c = s.columns[v];
    if (kinds != 1 || st.other) {
      c.digits = Digits::kDouble;
    } else if (st.packed) {
      c.digits = st.quantum > 0 ? Digits::kQuantum : Digits::kDouble;
      // 273.15 has two decimals: --celsius keeps at least those.
      c.quantum = celsius_[v] ? std::min(st.quantum, 0.01) : st.quantum;
    } else if (st.integer) {
      c.digits = celsius_[v] ? Digits::kDouble : Digits::kInteger;
    } else {
      c.digits = Digits::kFloat32;
    }
    // A box mean carries one more digit than the values it averages.
    if (reduced() && query_.reduce == Reduce::kMean) {
      if (c.digits == Digits::kQuantum) {
        c.quantum /= 10;
      } else {
        c.digits = Digits::kDouble;
      }
    }
  }
  if (reduced()) s.columns = reduced_columns(reduction_, query_.reduce, s.columns, s.cell_methods);
  s.problems = std::move(problems);
  s.source = std::move(source);
  s.packings = std::move(packings_);
  s.packings.resize(columns_.size());
  packings_.clear();
  // Rows by (time, order), ties in the order steps were added; steps that
  // arrived in order (a store's) are taken as they are.
  const size_t nsteps = step_times_.size(), per_step = rows_per_step();
  const auto before = [&](size_t a, size_t b) {
    return step_times_[a] != step_times_[b] ? step_times_[a] < step_times_[b]
                                            : step_orders_[a] < step_orders_[b];
  };
  bool in_order = true;
  for (size_t i = 1; i < nsteps && in_order; ++i) in_order = !before(i, i - 1);
  if (in_order) {
    s.rows = std::move(rows_);
  } else {
    std::vector<size_t> by_key(nsteps);
    for (size_t i = 0; i < nsteps; ++i) by_key[i] = i;
    std::stable_sort(by_key.begin(), by_key.end(), before);
    s.rows.reserve(rows_.size());
    for (size_t i : by_key) {
      const auto first = rows_.begin() + static_cast<ptrdiff_t>(i * per_step);
      s.rows.insert(s.rows.end(), std::make_move_iterator(first),
                    std::make_move_iterator(first + static_cast<ptrdiff_t>(per_step)));
    }
  }
  rows_.clear();
  step_times_.clear();
  step_orders_.clear();
  return s;
}

}  // namespace pixeldrill::drill

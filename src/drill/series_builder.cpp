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
      storage_(columns_.size()) {
  if (columns_.size() != query.vars.size()) {
    throw std::logic_error("SeriesBuilder: one column per query variable expected");
  }
  for (auto& c : columns_) {
    const bool convert = query.celsius && converts_to_celsius(c);
    celsius_.push_back(convert);
    if (convert) c.units = "degree_Celsius";
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
  if (!query_.time.contains(time)) return;
  const size_t npix = plan_.pixels.size();
  const size_t nvar = columns_.size();
  if (values.size() != read_vars_.size()) {
    throw std::logic_error("SeriesBuilder::add_step: one StoredValues per read variable expected");
  }
  // decoded[v][p]
  std::vector<std::vector<double>> decoded(read_vars_.size(),
                                           std::vector<double>(npix, Series::kMissing));
  for (size_t v = 0; v < read_vars_.size(); ++v) {
    const StoredValues& sv = values[v];
    if (!sv.present) continue;
    if (sv.raw.size() != npix) {
      throw std::logic_error("SeriesBuilder::add_step: one raw value per plan pixel expected");
    }
    for (size_t p = 0; p < npix; ++p) {
      double x = sv.packing.decode(sv.raw[p]);
      if (v < nvar && celsius_[v]) x -= kKelvinAtZeroCelsius;
      decoded[v][p] = x;
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
  std::vector<size_t> valid_now;
  for (size_t p = 0; p < npix; ++p) {
    for (size_t v = 0; v < nvar; ++v) {
      if (valid_columns_[v] && !std::isnan(decoded[v][p])) {
        valid_now.push_back(p);
        break;
      }
    }
  }
  if (!keep_rows_) {
    std::lock_guard lock(mutex_);
    ++steps_added_;
    for (size_t p : valid_now) pixel_valid_[p] = true;
    return;
  }
  std::vector<Storage> seen(nvar);
  for (size_t v = 0; v < nvar; ++v) {
    if (!values[v].present) continue;
    const auto& pk = values[v].packing;
    const bool integer =
        pk.type != formats::StorageType::kFloat32 && pk.type != formats::StorageType::kFloat64;
    if (pk.scale_factor || pk.add_offset) {
      seen[v].packed = true;
      seen[v].quantum = std::fabs(pk.scale_factor.value_or(1.0));
    } else if (integer) {
      seen[v].integer = true;
    } else if (pk.type == formats::StorageType::kFloat32) {
      seen[v].float32 = true;
    } else {
      seen[v].other = true;
    }
  }
  Step step{time, order, {}};
  if (reduced()) {
    step.rows.push_back(Row{time, "", plan_.box_lat, plan_.box_lon,
                            reduce_box(reduction_, query_.reduce, decoded)});
  } else {
    step.rows.reserve(npix);
    for (size_t p = 0; p < npix; ++p) {
      const PixelTarget& px = plan_.pixels[p];
      Row row{time, px.id, px.lat, px.lon, std::vector<double>(nvar)};
      for (size_t v = 0; v < nvar; ++v) row.values[v] = decoded[v][p];
      step.rows.push_back(std::move(row));
    }
  }
  std::lock_guard lock(mutex_);
  ++steps_added_;
  for (size_t p : valid_now) pixel_valid_[p] = true;
  steps_.push_back(std::move(step));
  packings_.resize(nvar);
  for (size_t v = 0; v < nvar; ++v) {
    Storage& s = storage_[v];
    if (seen[v].packed && seen[v].quantum > 0) {
      s.quantum =
          s.packed && s.quantum > 0 ? std::min(s.quantum, seen[v].quantum) : seen[v].quantum;
    }
    s.packed |= seen[v].packed;
    s.integer |= seen[v].integer;
    s.float32 |= seen[v].float32;
    s.other |= seen[v].other;
    if (!values[v].present) continue;
    auto& known = packings_[v];
    const auto same = [&](const catalog::Packing& p) { return same_packing(p, values[v].packing); };
    if (std::find_if(known.begin(), known.end(), same) == known.end()) {
      known.push_back(values[v].packing);
    }
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
  for (const auto& s : steps_) {
    if (s.time > t) out.push_back(s.time);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Series SeriesBuilder::finish(std::vector<Problem> problems, std::string source) {
  std::lock_guard lock(mutex_);
  std::stable_sort(steps_.begin(), steps_.end(), [](const Step& a, const Step& b) {
    return a.time != b.time ? a.time < b.time : a.order < b.order;
  });
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
  for (auto& step : steps_) {
    for (auto& row : step.rows) s.rows.push_back(std::move(row));
  }
  steps_.clear();
  return s;
}

}  // namespace pixeldrill::drill

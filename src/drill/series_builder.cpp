#include "drill/series_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "drill/resolve.h"

namespace pixeldrill::drill {
namespace {
constexpr double kKelvinAtZeroCelsius = 273.15;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
      read_vars_(wanted_variables(query)) {
  if (columns_.size() != query.vars.size()) {
    throw std::logic_error("SeriesBuilder: one column per query variable expected");
  }
  for (auto& c : columns_) {
    const bool convert = query.celsius && converts_to_celsius(c);
    celsius_.push_back(convert);
    if (convert) c.units = "degree_Celsius";
  }
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
  Step step{time, order, {}};
  if (plan_.box && query_.reduce != Reduce::kNone) {
    Row row{time, "", plan_.box_lat, plan_.box_lon, std::vector<double>(nvar)};
    for (size_t v = 0; v < nvar; ++v) {
      double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
      size_t count = 0;
      for (double x : decoded[v]) {
        if (std::isnan(x)) continue;
        sum += x;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
        ++count;
      }
      double out = Series::kMissing;
      switch (query_.reduce) {
        case Reduce::kMean:
          if (count) out = sum / static_cast<double>(count);
          break;
        case Reduce::kMin:
          if (count) out = lo;
          break;
        case Reduce::kMax:
          if (count) out = hi;
          break;
        case Reduce::kCount:
          out = static_cast<double>(count);
          break;
        case Reduce::kNone:
          break;
      }
      row.values[v] = out;
    }
    step.rows.push_back(std::move(row));
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
  s.problems = std::move(problems);
  s.source = std::move(source);
  for (auto& step : steps_) {
    for (auto& row : step.rows) s.rows.push_back(std::move(row));
  }
  steps_.clear();
  return s;
}

}  // namespace pixeldrill::drill

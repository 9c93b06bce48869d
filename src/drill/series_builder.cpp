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
      read_vars_(wanted_variables(query)) {
  if (columns_.size() != query.vars.size()) {
    throw std::logic_error("SeriesBuilder: one column per query variable expected");
  }
  for (auto& c : columns_) {
    const bool convert = query.celsius && converts_to_celsius(c);
    celsius_.push_back(convert);
    if (convert) c.units = "degree_Celsius";
  }
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
  steps_.push_back(std::move(step));
  packings_.resize(nvar);
  for (size_t v = 0; v < nvar; ++v) {
    auto& seen = packings_[v];
    if (!values[v].present) continue;
    const auto same = [&](const catalog::Packing& p) { return same_packing(p, values[v].packing); };
    if (std::find_if(seen.begin(), seen.end(), same) == seen.end()) {
      seen.push_back(values[v].packing);
    }
  }
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

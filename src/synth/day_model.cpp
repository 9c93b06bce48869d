#include "synth/day_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/civil_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "synth/hash.h"

namespace pixeldrill::synth {
namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kSwathWidthDeg = 26.0;

uint32_t layer_key(uint64_t seed, uint32_t layer) {
  return static_cast<uint32_t>(mix64(seed * 1000003ull + layer));
}

// x - floor(x) for x >= 0, without a libm call per pixel.
double frac_of_nonneg(double x) { return x - static_cast<double>(static_cast<int64_t>(x)); }

double gaussian(double x, double centre, double width) {
  const double d = (x - centre) / width;
  return std::exp(-d * d);
}
}  // namespace

struct DayModel::Layers {
  NoiseLayer sst_large, sst_eddy, sst_small, sst_fine, day_noise;
  NoiseLayer cloud1, cloud2, cloud3, cloud4;
  NoiseLayer wind1, wind2, bias;
  std::vector<float> warm_pool_col, eac_col, leeuwin_col, ice_edge_col;
};

struct DayModel::RowContext {
  std::vector<float> scratch;
  std::vector<float> a, b;  // helper rows
};

DayModel::DayModel(const SynthGrid& grid, const std::vector<uint8_t>& land, uint64_t seed,
                   int64_t day, unsigned threads, uint32_t step_salt)
    : grid_(grid),
      land_(land),
      seed_(seed),
      day_(day),
      threads_(std::max(1u, threads)),
      step_salt_(step_salt) {
  const CivilDate date = civil_from_days(day);
  const int64_t doy = day - days_from_civil({date.year, 1, 1});
  season_phase_ = 2.0 * std::numbers::pi * (static_cast<double>(doy) - 45.0) / 365.25;

  const uint32_t sky = step_salt * 0x85EBCA6Bu;  // 0 for daily products: unchanged keys
  auto layer = [&](uint32_t id, double cell, double period, double drift) {
    const uint32_t salt = id >= 11 && id <= 14 ? sky : 0;
    return NoiseLayer(grid, NoiseSpec{layer_key(seed, id) ^ salt, cell, period, drift}, day);
  };
  layers_ = std::make_unique<Layers>(Layers{layer(1, 5.0, 40, -0.02),
                                            layer(2, 1.2, 15, -0.05),
                                            layer(3, 0.3, 6, -0.08),
                                            layer(4, 0.08, 3, -0.1),
                                            layer(5, 1.5, 1, 0),
                                            layer(11, 7.0, 4, 5.0),
                                            layer(12, 2.0, 2, 6.0),
                                            layer(13, 0.5, 1, 0),
                                            layer(14, 0.12, 1, 0),
                                            layer(21, 10.0, 3, 4.0),
                                            layer(22, 2.5, 1, 0),
                                            layer(31, 4.0, 10, 0),
                                            {},
                                            {},
                                            {},
                                            {}});
  for (float lon : grid.lon) {
    layers_->warm_pool_col.push_back(static_cast<float>(gaussian(lon, 125, 35)));
    layers_->eac_col.push_back(static_cast<float>(gaussian(lon, 154.5, 4.5)));
    layers_->leeuwin_col.push_back(static_cast<float>(gaussian(lon, 113.0, 2.5)));
    layers_->ice_edge_col.push_back(static_cast<float>(1.5 * std::sin(lon * 0.05)));
  }
  const double shift =
      std::fmod(7.3 * static_cast<double>(day) + 11.0 * step_salt, kSwathWidthDeg * 5);
  for (float lon : grid.lon) swath_col_.push_back((lon - 70.0 + shift) / kSwathWidthDeg);

  // A different cloud cover every night: 34-46% of the ocean stays clear.
  const double target =
      0.34 + 0.12 * (0.5 + 0.5 * unit_signed(hash3(layer_key(seed, 99) ^ sky,
                                                   static_cast<uint32_t>(day), 3)));
  cloud_threshold_ = cloud_threshold(target);

  zenith_.resize(grid.pixels());
  quality_.assign(grid.pixels(), 0);
  const size_t block = 16;
  parallel_for((grid.nlat + block - 1) / block, threads_, [&](size_t b) {
    RowContext ctx;
    std::vector<float> cloud(grid.nlon);
    for (size_t i = b * block; i < std::min(grid.nlat, (b + 1) * block); ++i) {
      const float* zen = &zenith_[i * grid.nlon];
      fill_row("satellite_zenith_angle_raw", i, &zenith_[i * grid.nlon], ctx);
      cloud_row(i, cloud.data(), ctx);
      uint8_t* q = &quality_[i * grid.nlon];
      for (size_t j = 0; j < grid.nlon; ++j) {
        const float m = cloud_threshold_ - cloud[j];
        if (!(m > 0)) continue;  // cloud, swath gap (inf) or land (inf)
        int level = 2 + (m > 0.08f) + (m > 0.22f) + (m > 0.42f);
        if (zen[j] > 55.0f && level > 2) --level;
        q[j] = static_cast<uint8_t>(level);
      }
    }
  });
}

DayModel::~DayModel() = default;

double DayModel::valid_fraction_of_ocean() const {
  size_t ocean = 0, valid = 0;
  for (size_t k = 0; k < quality_.size(); ++k) {
    ocean += land_[k] == 0;
    valid += quality_[k] != 0;
  }
  return ocean == 0 ? 0.0 : static_cast<double>(valid) / static_cast<double>(ocean);
}

// Cloud value per pixel; +inf on land and in the gaps between swaths, so a
// pixel is clear where its value is below the night's threshold.
void DayModel::cloud_row(size_t i, float* out, RowContext& ctx) const {
  const Layers& L = *layers_;
  std::fill(out, out + grid_.nlon, 0.0f);
  L.cloud1.add_row(i, 1.0f, out, ctx.scratch);
  L.cloud2.add_row(i, 0.6f, out, ctx.scratch);
  L.cloud3.add_row(i, 0.35f, out, ctx.scratch);
  L.cloud4.add_row(i, 0.2f, out, ctx.scratch);
  const double lat = grid_.lat[i];
  // Gaps between swaths open towards the equator, where passes do not overlap.
  const double gap = 0.14 * std::clamp((lat + 15.0) / 35.0, 0.0, 1.0);
  const double row_phase = 0.4 * lat / kSwathWidthDeg;
  const uint8_t* land = &land_[i * grid_.nlon];
  constexpr float inf = std::numeric_limits<float>::infinity();
  for (size_t j = 0; j < grid_.nlon; ++j) {
    const double f = frac_of_nonneg(swath_col_[j] + row_phase + 2.0);
    if (land[j] || f < gap * 0.5 || f > 1.0 - gap * 0.5) out[j] = inf;
  }
}

float DayModel::cloud_threshold(double target_fraction) const {
  const size_t si = std::max<size_t>(1, grid_.nlat / 300);
  const size_t sj = std::max<size_t>(1, grid_.nlon / 400);
  std::vector<float> samples;
  RowContext ctx;
  std::vector<float> row(grid_.nlon);
  for (size_t i = si / 2; i < grid_.nlat; i += si) {
    cloud_row(i, row.data(), ctx);
    for (size_t j = sj / 2; j < grid_.nlon; j += sj) {
      if (!land_[i * grid_.nlon + j]) samples.push_back(row[j]);
    }
  }
  if (samples.empty()) return 0;
  const auto k = static_cast<size_t>(target_fraction * static_cast<double>(samples.size()));
  std::nth_element(samples.begin(), samples.begin() + static_cast<long>(k), samples.end());
  return samples[k];
}

void DayModel::physical(const std::string& var, std::vector<float>& out) const {
  out.resize(grid_.pixels());
  const size_t block = 16;
  parallel_for((grid_.nlat + block - 1) / block, threads_, [&](size_t b) {
    RowContext ctx;
    for (size_t i = b * block; i < std::min(grid_.nlat, (b + 1) * block); ++i)
      fill_row(var, i, &out[i * grid_.nlon], ctx);
  });
}

void DayModel::fill_row(const std::string& var, size_t i, float* out, RowContext& ctx) const {
  const Layers& L = *layers_;
  const size_t n = grid_.nlon;
  const double lat = grid_.lat[i];
  const uint8_t* q = quality_.empty() ? nullptr : &quality_[i * n];
  const uint8_t* land = &land_[i * n];
  const auto full_i = static_cast<uint32_t>(i * static_cast<size_t>(grid_.decimate));
  const uint32_t pix_key =
      layer_key(seed_, 1000) ^ static_cast<uint32_t>(day_) * 0x9E3779B1u ^ step_salt_ * 0x85EBCA6Bu;
  auto pixel_noise = [&](size_t j, uint32_t salt) {
    return unit_signed(hash3(pix_key + salt, full_i, static_cast<uint32_t>(j * grid_.decimate)));
  };
  auto mask_invalid = [&] {
    for (size_t j = 0; j < n; ++j)
      if (q[j] == 0) out[j] = kNaN;
  };
  // Shifted by 2 (> 1.1 = the most negative row part) so truncation is floor.
  auto swath_phase = [&](size_t j) { return swath_col_[j] + 0.4 * lat / kSwathWidthDeg + 2.0; };

  if (var == "satellite_zenith_angle") {
    std::copy_n(&zenith_[i * n], n, out);
    mask_invalid();
    return;
  }
  if (var == "satellite_zenith_angle_raw") {
    for (size_t j = 0; j < n; ++j) {
      const double f = frac_of_nonneg(swath_phase(j));
      out[j] = static_cast<float>(68.0 * std::abs(2.0 * f - 1.0)) + 0.3f * pixel_noise(j, 7);
      out[j] = std::max(out[j], 0.0f);
    }
    return;
  }
  if (var == "sea_surface_temperature") {
    const double c = std::cos(season_phase_);
    const double lat_eff = lat + 4.0 * c;  // the warm band follows the sun south in February
    const double width = lat_eff < -3.0 ? 42.0 : 60.0;
    double base = 271.4 + 30.0 * gaussian(lat_eff, -3.0, width);
    base += 2.5 * gaussian(lat, -38, 15) * c - 1.0 * gaussian(lat, 18, 6) * c;
    const auto warm = static_cast<float>(1.2 * gaussian(lat, -2, 14));
    const auto eac = static_cast<float>(1.8 * gaussian(lat, -31, 7));
    const auto leeuwin = static_cast<float>(1.2 * gaussian(lat, -28, 8));
    for (size_t j = 0; j < n; ++j)
      out[j] = static_cast<float>(base) + warm * L.warm_pool_col[j] + eac * L.eac_col[j] +
               leeuwin * L.leeuwin_col[j];
    const auto eddy = static_cast<float>(0.6 + 0.9 * gaussian(lat, -38, 12));
    L.sst_large.add_row(i, 1.0f, out, ctx.scratch);
    L.sst_eddy.add_row(i, 0.9f * eddy, out, ctx.scratch);
    L.sst_small.add_row(i, 0.35f * eddy, out, ctx.scratch);
    L.sst_fine.add_row(i, 0.12f * eddy, out, ctx.scratch);
    L.day_noise.add_row(i, 0.25f, out, ctx.scratch);
    for (size_t j = 0; j < n; ++j) {
      float t = out[j] + 0.04f * pixel_noise(j, 1);
      if (t > 302.5f) t = 302.5f + (t - 302.5f) * 0.3f;  // warm pools saturate near 32 C
      out[j] = std::max(t, 271.35f);
    }
    mask_invalid();
    return;
  }
  if (var == "sst_dtime" || var == "wind_speed_dtime_from_sst" ||
      var == "sea_ice_fraction_dtime_from_sst") {
    // Passes sweep westward through the night; seconds relative to 15:20 UTC.
    for (size_t j = 0; j < n; ++j) {
      const auto pass = static_cast<int64_t>(swath_phase(j));
      const int64_t m = pass % 5;
      out[j] =
          static_cast<float>(-12400.0 + 2950.0 * static_cast<double>(m) + 17.0 * (20.0 - lat)) +
          20.0f * pixel_noise(j, 2);
    }
    if (var == "wind_speed_dtime_from_sst") {
      // Forecast winds every 6 hours: hours to the nearest forecast time.
      for (size_t j = 0; j < n; ++j) {
        const double h = out[j] / 3600.0 + 15.0 + 20.0 / 60.0;
        out[j] = static_cast<float>(h - 6.0 * std::round(h / 6.0));
      }
    } else if (var == "sea_ice_fraction_dtime_from_sst") {
      for (size_t j = 0; j < n; ++j) out[j] = out[j] / 3600.0f + 15.0f + 20.0f / 60.0f + 24.0f;
    }
    if (var == "sea_ice_fraction_dtime_from_sst") {
      ctx.a.resize(n);
      fill_row("sea_ice_fraction", i, ctx.a.data(), ctx);
      for (size_t j = 0; j < n; ++j)
        if (std::isnan(ctx.a[j])) out[j] = kNaN;
    } else {
      mask_invalid();
    }
    return;
  }
  if (var == "dt_analysis") {
    std::fill(out, out + n, 0.0f);
    L.day_noise.add_row(i, 0.6f, out, ctx.scratch);
    L.sst_fine.add_row(i, 0.25f, out, ctx.scratch);
    for (size_t j = 0; j < n; ++j) out[j] += 0.05f * pixel_noise(j, 3);
    mask_invalid();
    return;
  }
  if (var == "wind_speed" || var == "l2p_flags") {
    std::fill(out, out + n, static_cast<float>(7.0 + 2.0 * gaussian(lat, -50, 10)));
    L.wind1.add_row(i, 3.5f, out, ctx.scratch);
    L.wind2.add_row(i, 1.5f, out, ctx.scratch);
    for (size_t j = 0; j < n; ++j) out[j] = std::clamp(out[j], 0.2f, 25.0f);
    if (var == "wind_speed") {
      mask_invalid();
      return;
    }
    const float* zen = &zenith_[i * n];
    for (size_t j = 0; j < n; ++j) {
      // The real product holds the fill wherever SST is missing, land included
      // (fixtures README), so the land bit is never written.
      if (land[j] || q[j] == 0) {
        out[j] = kNaN;
      } else {
        int flags = kFlagSwath;
        if (out[j] < 3.0f) flags |= kFlagLowWind;
        if (out[j] > 12.0f) flags |= kFlagHighWind;
        if (zen[j] > 55.0f) flags |= kFlagEdge;
        out[j] = static_cast<float>(flags);
      }
    }
    return;
  }
  if (var == "sea_ice_fraction") {
    // Antarctic ice reaches furthest north in mid-September (day 258).
    const double ice_phase = season_phase_ - 2.0 * std::numbers::pi * (258.0 - 45.0) / 365.25;
    for (size_t j = 0; j < n; ++j) {
      const double edge = -62.0 + 3.5 * std::cos(ice_phase) + L.ice_edge_col[j];
      if (land[j] || lat >= edge) {
        out[j] = kNaN;
      } else {
        out[j] = std::clamp(
            static_cast<float>(0.15 + (edge - lat) / 4.0) + 0.1f * pixel_noise(j, 4), 0.0f, 1.0f);
      }
    }
    return;
  }
  if (var == "quality_level") {
    for (size_t j = 0; j < n; ++j) out[j] = q[j] == 0 ? kNaN : static_cast<float>(q[j]);
    return;
  }
  if (var == "sses_bias") {
    std::fill(out, out + n, -0.17f);
    L.bias.add_row(i, 0.12f, out, ctx.scratch);
    for (size_t j = 0; j < n; ++j) out[j] -= 0.04f * static_cast<float>(5 - q[j]);
    mask_invalid();
    return;
  }
  if (var == "sst_mean") {  // unweighted mean: the SST plus the weighting's difference
    fill_row("sea_surface_temperature", i, out, ctx);
    for (size_t j = 0; j < n; ++j) out[j] += 0.05f * pixel_noise(j, 8);
    return;
  }
  if (var == "sst_count" || var == "sst_standard_deviation") {
    fill_row(var == "sst_count" ? "sses_count" : "sses_standard_deviation", i, out, ctx);
    for (size_t j = 0; j < n; ++j)
      out[j] = var == "sst_count" ? std::round(out[j] * 1.5f) : out[j] * 0.8f;
    return;
  }
  if (var == "sses_standard_deviation" || var == "sses_count") {
    const float* zen = &zenith_[i * n];
    for (size_t j = 0; j < n; ++j) {
      const float z = zen[j] / 68.0f;
      out[j] = var == "sses_count"
                   ? std::max(1.0f, 2.0f + 7.0f * (1.0f - z) + 1.5f * pixel_noise(j, 5))
                   : 0.25f + 0.08f * static_cast<float>(5 - q[j]) + 0.3f * z * z +
                         0.03f * pixel_noise(j, 6);
    }
    mask_invalid();
    return;
  }
  throw Error("synth: no generator for variable '" + var + "'");
}

}  // namespace pixeldrill::synth

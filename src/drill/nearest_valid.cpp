#include "drill/nearest_valid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/error.h"

namespace pixeldrill::drill {
namespace {

// Beyond this many candidate pixels the search reads more than a drill of a box would.
constexpr size_t kMaxSearchPixels = 250000;
constexpr double kKmPerDegree = 111.19;  // of latitude, on the mean Earth radius

std::string position(double lat, double lon) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7g,%.7g", lat, lon);
  return buf;
}

}  // namespace

NearestValidSearch::NearestValidSearch(const Query& query, const catalog::Grid& grid,
                                       const Plan& nearest)
    : query_(query), nearest_(nearest) {
  const double km = query.nearest_valid_km.value_or(0);
  std::map<std::pair<size_t, size_t>, size_t> index;  // (row, col) -> search pixel
  auto add = [&](size_t row, size_t col) {
    const auto [it, fresh] = index.try_emplace({row, col}, search_.pixels.size());
    if (fresh) {
      search_.pixels.push_back(
          {search_.pixels.size(), "", row, col, grid.lat.values[row], grid.lon.values[col]});
    }
    return it->second;
  };
  for (const PixelTarget& px : nearest.pixels) {
    const Site& site = query.sites[px.site];
    const double lon = grid_longitude(site.lon, grid.lon);
    std::vector<Candidate> found;
    found.push_back({add(px.row, px.col), distance_km(site.lat, lon, px.lat, px.lon)});
    const double dlat = km / kKmPerDegree;
    const double widest = std::max(std::fabs(site.lat) + dlat, 0.0);
    const double dlon =
        widest >= 89.9 ? 180.0 : std::min(180.0, dlat / std::cos(widest * 3.14159265358979 / 180));
    const auto rows = grid.lat.range(site.lat - dlat, site.lat + dlat);
    const auto cols = grid.lon.range(lon - dlon, lon + dlon);
    if (rows && cols) {
      const size_t area = (rows->second - rows->first + 1) * (cols->second - cols->first + 1);
      if (area > kMaxSearchPixels) {
        throw BadRequest("--nearest-valid " + std::to_string(km) + " km would search " +
                         std::to_string(area) + " pixels around " + position(site.lat, site.lon) +
                         "; give a smaller radius");
      }
      for (size_t r = rows->first; r <= rows->second; ++r) {
        for (size_t c = cols->first; c <= cols->second; ++c) {
          if (r == px.row && c == px.col) continue;
          const double d = distance_km(site.lat, lon, grid.lat.values[r], grid.lon.values[c]);
          if (d <= km) found.push_back({add(r, c), d});
        }
      }
    }
    if (search_.pixels.size() > kMaxSearchPixels) {
      throw BadRequest("--nearest-valid: the stations' radii cover more than " +
                       std::to_string(kMaxSearchPixels) + " pixels; give a smaller radius");
    }
    // The pixel --point would use first; then nearest, northern, western.
    std::stable_sort(found.begin() + 1, found.end(), [&](const Candidate& a, const Candidate& b) {
      if (a.km != b.km) return a.km < b.km;
      const PixelTarget &pa = search_.pixels[a.pixel], &pb = search_.pixels[b.pixel];
      return pa.lat != pb.lat ? pa.lat > pb.lat : pa.lon < pb.lon;
    });
    candidates_.push_back(std::move(found));
  }
  fit_window(search_);
}

Plan NearestValidSearch::choose(const std::vector<bool>& valid, std::vector<std::string>& notes) {
  Plan chosen = nearest_;
  distances_.clear();
  char km[32];
  std::snprintf(km, sizeof km, "%g", query_.nearest_valid_km.value_or(0));
  for (size_t i = 0; i < chosen.pixels.size(); ++i) {
    PixelTarget& px = chosen.pixels[i];
    const Site& site = query_.sites[px.site];
    const std::string name = (px.id.empty() ? std::string("point ") : "station '" + px.id + "' ") +
                             position(site.lat, site.lon);
    const auto& list = candidates_[i];
    const auto it =
        std::find_if(list.begin(), list.end(), [&](const Candidate& c) { return valid[c.pixel]; });
    if (it == list.end()) {
      distances_.push_back(list.front().km);
      notes.push_back(name + ": no pixel within " + km +
                      " km has a valid value in the time range; kept the nearest pixel " +
                      position(px.lat, px.lon));
      continue;
    }
    const PixelTarget& use = search_.pixels[it->pixel];
    if (it != list.begin()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f", it->km);
      notes.push_back(name + ": the nearest pixel " + position(px.lat, px.lon) +
                      " has no valid value in the time range; used pixel " +
                      position(use.lat, use.lon) + ", " + buf + " km away (--nearest-valid " + km +
                      ")");
    }
    px.row = use.row, px.col = use.col, px.lat = use.lat, px.lon = use.lon;
    distances_.push_back(it->km);
  }
  fit_window(chosen);
  return chosen;
}

}  // namespace pixeldrill::drill

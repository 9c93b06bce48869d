#include "drill/plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace pixeldrill::drill {
namespace {

std::string extent(const catalog::Axis& a) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s %.6g..%.6g", a.name.c_str(), a.min(), a.max());
  return buf;
}

std::string grid_extent(const catalog::Grid& g) {
  return "the grid covers " + extent(g.lat) + ", " + extent(g.lon);
}

std::string site_name(const Query& q, size_t i) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.10g,%.10g", q.sites[i].lat, q.sites[i].lon);
  if (q.sites.size() == 1 && q.sites[i].id.empty()) return std::string("--point ") + buf;
  return "--stations site '" + q.sites[i].id + "' (" + buf + ")";
}

}  // namespace

void fit_window(Plan& plan) {
  plan.row0 = plan.col0 = SIZE_MAX;
  plan.row1 = plan.col1 = 0;
  for (const auto& p : plan.pixels) {
    plan.row0 = std::min(plan.row0, p.row);
    plan.row1 = std::max(plan.row1, p.row);
    plan.col0 = std::min(plan.col0, p.col);
    plan.col1 = std::max(plan.col1, p.col);
  }
}

double grid_longitude(double lon, const catalog::Axis& axis) {
  if (axis.values.empty()) return lon;
  const double lo = axis.min() - axis.half_step_low(), hi = axis.max() + axis.half_step_high();
  for (const double shift : {0.0, 360.0, -360.0, 720.0, -720.0}) {
    if (lon + shift >= lo && lon + shift <= hi) return lon + shift;
  }
  return lon;
}

std::pair<double, double> grid_longitudes(const Box& box, const catalog::Axis& axis) {
  double width = box.east - box.west;
  if (width < 0) width += 360;
  if (axis.values.empty()) return {box.west, box.west + width};
  const double lo = axis.min(), hi = axis.max();
  if (width >= 360) return {lo, hi};
  double best_west = box.west, best_overlap = -1;
  for (const double shift : {0.0, 360.0, -360.0, 720.0, -720.0}) {
    const double w = box.west + shift;
    const double overlap = std::min(hi, w + width) - std::max(lo, w);
    if (overlap > best_overlap) best_overlap = overlap, best_west = w;
  }
  return {best_west, best_west + width};
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadiusKm = 6371.0088;
  constexpr double kRad = 3.14159265358979323846 / 180;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

Plan make_plan(const Query& query, const catalog::Grid& grid) {
  Plan plan;
  if (query.box) {
    const Box& b = *query.box;
    char buf[160];
    std::snprintf(buf, sizeof buf, "--box %.10g,%.10g,%.10g,%.10g", b.south, b.north, b.west,
                  b.east);
    if (!(b.south <= b.north)) {
      throw BadRequest(std::string(buf) + ": expected S,N,W,E with S <= N");
    }
    const auto [west, east] = grid_longitudes(b, grid.lon);
    const auto rows = grid.lat.range(b.south, b.north);
    const auto cols = grid.lon.range(west, east);
    if (!rows || !cols) {
      throw BadRequest(std::string(buf) + ": no pixel centre lies inside the box; " +
                       grid_extent(grid));
    }
    plan.box = true;
    // Rows in latitude-descending order whatever the axis direction.
    std::vector<size_t> row_order;
    for (size_t r = rows->first; r <= rows->second; ++r) row_order.push_back(r);
    if (grid.lat.ascending()) std::reverse(row_order.begin(), row_order.end());
    std::vector<size_t> col_order;
    for (size_t c = cols->first; c <= cols->second; ++c) col_order.push_back(c);
    if (!grid.lon.ascending()) std::reverse(col_order.begin(), col_order.end());
    for (size_t r : row_order) {
      for (size_t c : col_order) {
        plan.pixels.push_back(
            {plan.pixels.size(), "", r, c, grid.lat.values[r], grid.lon.values[c]});
      }
    }
    plan.box_lat = (grid.lat.values[rows->first] + grid.lat.values[rows->second]) / 2;
    plan.box_lon = (grid.lon.values[cols->first] + grid.lon.values[cols->second]) / 2;
    // Reported at the coordinates' own precision, so -32.0 prints as -32.0.
    if (grid.lat.float32) plan.box_lat = static_cast<float>(plan.box_lat);
    if (grid.lon.float32) plan.box_lon = static_cast<float>(plan.box_lon);
  } else {
    if (query.sites.empty()) throw BadRequest("give --point, --stations or --box");
    for (size_t i = 0; i < query.sites.size(); ++i) {
      const Site& s = query.sites[i];
      const auto row = grid.lat.nearest(s.lat);
      const auto col = grid.lon.nearest(grid_longitude(s.lon, grid.lon));
      if (!row || !col) {
        const std::string why =
            site_name(query, i) + " lies outside the grid; " + grid_extent(grid);
        // One station off the grid does not stop the others.
        if (query.sites.size() == 1 && s.id.empty()) throw BadRequest(why);
        plan.outside.push_back(why);
        continue;
      }
      plan.pixels.push_back({i, s.id, *row, *col, grid.lat.values[*row], grid.lon.values[*col]});
    }
  }
  if (plan.pixels.empty()) {
    if (plan.outside.size() == 1) throw BadRequest(plan.outside.front());
    throw BadRequest("all " + std::to_string(plan.outside.size()) +
                     " stations lie outside the grid; first: " + plan.outside.front());
  }
  fit_window(plan);
  return plan;
}

}  // namespace pixeldrill::drill

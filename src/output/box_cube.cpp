#include "output/box_cube.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "drill/plan.h"
#include "drill/resolve.h"

namespace pixeldrill::output {
namespace {

catalog::Axis window(const catalog::Axis& axis, size_t first, size_t last) {
  catalog::Axis out = axis;
  out.values.assign(axis.values.begin() + static_cast<std::ptrdiff_t>(first),
                    axis.values.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  return out;
}

size_t value_size(formats::StorageType stored) {
  // Floats of any width are written as they are stored; integers too (packed or not).
  return formats::storage_size(stored);
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

std::string CubeLayout::describe() const {
  return std::to_string(times.size()) + " x " + std::to_string(lat.size()) + " x " +
         std::to_string(lon.size()) + " (time x lat x lon), " + std::to_string(variables.size()) +
         (variables.size() == 1 ? " variable" : " variables") + ", about " + format_bytes(bytes) +
         " uncompressed";
}

CubeLayout plan_cube(const drill::Dataset& dataset, const drill::Query& query) {
  if (!query.box || query.reduce != drill::Reduce::kNone) {
    throw BadRequest("a (time, lat, lon) cube needs --box without --reduce");
  }
  const auto info = dataset.info();
  drill::resolve_columns(*info, query);  // unknown variables refused as the drill would
  const drill::Plan plan = drill::make_plan(query, info->grid);
  CubeLayout layout;
  layout.row0 = plan.row0;
  layout.col0 = plan.col0;
  layout.lat = window(info->grid.lat, plan.row0, plan.row1);
  layout.lon = window(info->grid.lon, plan.col0, plan.col1);
  for (size_t i : drill::select_steps(info->times, query.time)) {
    layout.times.push_back(info->times[i]);
  }
  std::sort(layout.times.begin(), layout.times.end());
  layout.times.erase(std::unique(layout.times.begin(), layout.times.end()), layout.times.end());
  const uint64_t pixels = uint64_t{layout.lat.size()} * layout.lon.size();
  layout.bytes = layout.times.size() * 8 +
                 (layout.lat.size() + layout.lon.size()) * (layout.lat.float32 ? 4 : 8);
  for (const auto& name : query.vars) {
    const drill::DatasetVariable* v = info->find(name);
    const auto type = v ? v->type : formats::StorageType::kFloat32;
    layout.variables.push_back(name);
    layout.stored_types.push_back(type);
    layout.bytes += pixels * layout.times.size() * value_size(type);
  }
  return layout;
}

void check_cube_size(const CubeLayout& layout, uint64_t max_bytes) {
  if (max_bytes == 0 || layout.bytes <= max_bytes) return;
  throw Error(ErrorKind::kTooLarge, "the cube would be " + layout.describe() +
                                        ", more than the limit of " + format_bytes(max_bytes) +
                                        ": narrow the box or the time range");
}

drill::Series stream_cube(const drill::Dataset& dataset, const drill::Query& query,
                          const CubeLayout& layout,
                          const std::function<void(const CubeBlock&)>& consume,
                          size_t block_values) {
  const size_t ny = layout.lat.size(), nx = layout.lon.size(), npix = ny * nx;
  const size_t nvar = layout.variables.size();
  const size_t steps_per_block = std::max<size_t>(1, block_values / std::max<size_t>(1, npix));
  drill::Series summary;
  for (size_t first = 0; first < layout.times.size(); first += steps_per_block) {
    const size_t last = std::min(layout.times.size(), first + steps_per_block) - 1;
    drill::Query q = query;
    q.time.from = layout.times[first];
    q.time.to = layout.times[last];
    drill::Series s = dataset.drill(q);
    CubeBlock block;
    block.values.assign(nvar, {});
    for (size_t r = 0; r < s.rows.size(); r += npix) {
      const int64_t t = s.rows[r].time;
      if (r + npix > s.rows.size() || s.rows[r + npix - 1].time != t) {
        throw Error(ErrorKind::kInternal, "box cube: a time step without one row per pixel");
      }
      block.times.push_back(t);
      for (size_t v = 0; v < nvar; ++v) block.values[v].resize(block.times.size() * npix);
      const size_t base = (block.times.size() - 1) * npix;
      for (size_t k = 0; k < npix; ++k) {
        const drill::Row& row = s.rows[r + k];
        // The drill's pixel order (lat descending, lon ascending) mapped to
        // the source's order; the coordinates say where each row belongs.
        const auto y = layout.lat.ascending() ? ny - 1 - k / nx : k / nx;
        const auto x = layout.lon.ascending() ? k % nx : nx - 1 - k % nx;
        if (row.lat != layout.lat.values[y] || row.lon != layout.lon.values[x]) {
          throw Error(ErrorKind::kInternal, "box cube: a drilled pixel is not on the box's grid");
        }
        for (size_t v = 0; v < nvar; ++v) block.values[v][base + y * nx + x] = row.values[v];
      }
    }
    if (!block.times.empty()) consume(block);
    if (summary.columns.empty()) summary.columns = s.columns;
    summary.source = s.source;
    for (auto& p : s.problems) summary.problems.push_back(std::move(p));
    for (auto& n : s.notes) {
      if (std::find(summary.notes.begin(), summary.notes.end(), n) == summary.notes.end()) {
        summary.notes.push_back(std::move(n));
      }
    }
  }
  return summary;
}

std::vector<std::optional<formats::Packing>> common_packings(const drill::Dataset& dataset,
                                                             const drill::Query& query,
                                                             const CubeLayout& layout) {
  drill::Query probe = query;
  probe.box.reset();
  probe.sites = {drill::Site{"", layout.lat.values.front(), layout.lon.values.front()}};
  probe.min_quality.reset();
  std::vector<std::optional<formats::Packing>> out(layout.variables.size());
  if (layout.times.empty()) return out;
  const drill::Series s = dataset.drill(probe);
  for (size_t v = 0; v < out.size() && v < s.packings.size(); ++v) {
    if (s.packings[v].size() == 1) out[v] = s.packings[v].front();
  }
  return out;
}

}  // namespace pixeldrill::output

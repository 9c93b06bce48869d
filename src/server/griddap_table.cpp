#include "server/griddap_table.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/error.h"
#include "server/served_types.h"

namespace pixeldrill::server {
using drill::check_deadline;

namespace {
constexpr size_t kNone = static_cast<size_t>(-1);

// `find` done again only when the key changes: consecutive rows share their
// time (a box) or their pixel (a point's 3,557 days).
template <typename Key, typename Find>
struct LastLookup {
  Find find;
  bool have = false;
  Key key{};
  size_t hit = kNone;
  size_t operator()(Key k) {
    if (!have || k != key) {
      hit = find(k);
      key = k;
      have = true;
    }
    return hit;
  }
};
}  // namespace

size_t GriddapTable::rows() const {
  if (axis_only) {
    return axis_name == columns[0].name   ? times.size()
           : axis_name == columns[1].name ? lats.size()
                                          : lons.size();
  }
  return times.size() * lats.size() * lons.size();
}

std::string too_much_data_message(size_t requested, size_t limit) {
  return "Payload Too Large: Your query produced too much data.  Try to request less data.  "
         "The request asks for " +
         std::to_string(requested) + " values; this server returns at most " +
         std::to_string(limit) +
         " per request.  Split it into several requests over shorter time ranges (the time "
         "constraint) or smaller areas, or use a stride.";
}

GriddapTable fetch_griddap(const drill::Dataset& dataset, const drill::DatasetInfo& info,
                           const ResolvedGriddap& request, size_t max_values, Deadline deadline) {
  GriddapTable table;
  for (size_t i = request.time.first; i <= request.time.last; i += request.time.stride) {
    table.times.push_back(info.times[i]);
  }
  for (size_t i = request.lat.first; i <= request.lat.last; i += request.lat.stride) {
    table.lats.push_back(info.grid.lat.values[i]);
  }
  for (size_t i = request.lon.first; i <= request.lon.last; i += request.lon.stride) {
    table.lons.push_back(info.grid.lon.values[i]);
  }
  table.columns = {
      {info.time_name, "UTC", "String"},
      {info.grid.lat.name, info.grid.lat.units, info.grid.lat.float32 ? "float" : "double"},
      {info.grid.lon.name, info.grid.lon.units, info.grid.lon.float32 ? "float" : "double"}};
  if (request.data_variables.empty()) {
    if (request.axis_variables.size() != 1) {
      throw BadRequest("Query error: request one axis variable at a time, or data variables.");
    }
    table.axis_only = true;
    table.axis_name = request.axis_variables[0];
    return table;
  }
  const size_t cells = table.times.size() * table.lats.size() * table.lons.size();
  const size_t requested = cells * request.data_variables.size();
  if (requested > max_values) {
    throw Error(ErrorKind::kTooLarge, too_much_data_message(requested, max_values));
  }
  drill::Query query;
  query.deadline = deadline;
  query.threads = 1;  // the server's concurrent requests are its parallelism
  query.vars = request.data_variables;
  query.time.from = table.times.front();
  query.time.to = table.times.back();
  const bool contiguous = request.lat.stride == 1 && request.lon.stride == 1;
  if (contiguous && cells / table.times.size() > 1) {
    query.box = drill::Box{std::min(table.lats.front(), table.lats.back()),
                           std::max(table.lats.front(), table.lats.back()),
                           std::min(table.lons.front(), table.lons.back()),
                           std::max(table.lons.front(), table.lons.back())};
  } else {
    // Exactly the selected pixel centres: the nearest-pixel rule maps each
    // centre back to itself.
    for (size_t y = 0; y < table.lats.size(); ++y) {
      for (size_t x = 0; x < table.lons.size(); ++x) {
        query.sites.push_back(
            {std::to_string(y * table.lons.size() + x), table.lats[y], table.lons[x]});
      }
    }
  }
  drill::Series series = dataset.drill(query);
  check_deadline(deadline);
  table.nvars = series.columns.size();
  for (size_t v = 0; v < series.columns.size(); ++v) {
    const drill::Column& c = series.columns[v];
    const auto* var = info.find(c.name);
    // A packed file among those read decodes the column, whatever the first file says.
    const bool decoded = c.digits == drill::Digits::kQuantum || c.units == drill::kCelsiusUnits;
    table.columns.push_back({c.name, c.units, var && !decoded ? erddap_type(*var) : "double"});
  }
  table.values.assign(cells * table.nvars, std::nan(""));
  // Times by value, for a binary search: a hash map of a 10-year point's
  // 3,557 days was 3,557 allocations, a sixth of a served griddap request.
  std::vector<std::pair<int64_t, size_t>> time_index(table.times.size());
  for (size_t i = 0; i < table.times.size(); ++i) time_index[i] = {table.times[i], i};
  if (!std::is_sorted(time_index.begin(), time_index.end())) {
    std::sort(time_index.begin(), time_index.end());
  }
  // Rows come in time order: the place after the last time found is tried first.
  size_t next_time = 0;
  const auto find_time = [&](int64_t time) {
    if (next_time < time_index.size() && time_index[next_time].first == time) {
      return time_index[next_time++].second;
    }
    const auto it =
        std::lower_bound(time_index.begin(), time_index.end(), std::pair<int64_t, size_t>{time, 0});
    if (it == time_index.end() || it->first != time) return kNone;
    next_time = static_cast<size_t>(it - time_index.begin()) + 1;
    return it->second;
  };
  std::unordered_map<double, size_t> lat_index, lon_index;
  for (size_t i = 0; i < table.lats.size(); ++i) lat_index[table.lats[i]] = i;
  for (size_t i = 0; i < table.lons.size(); ++i) lon_index[table.lons[i]] = i;
  const auto in = [](const std::unordered_map<double, size_t>& index) {
    return [&index](double k) {
      const auto it = index.find(k);
      return it == index.end() ? kNone : it->second;
    };
  };
  auto time_of = LastLookup<int64_t, decltype(find_time)>{find_time};
  auto lat_of = LastLookup<double, decltype(in(lat_index))>{in(lat_index)};
  auto lon_of = LastLookup<double, decltype(in(lon_index))>{in(lon_index)};
  for (const auto& row : series.rows) {
    const size_t t = time_of(row.time), y = lat_of(row.lat), x = lon_of(row.lon);
    // Steps skipped by the stride, or pixels between strided ones.
    if (t == kNone || y == kNone || x == kNone) continue;
    double* out =
        &table.values[((t * table.lats.size() + y) * table.lons.size() + x) * table.nvars];
    for (size_t v = 0; v < table.nvars; ++v) out[v] = row.values[v];
  }
  table.problems = std::move(series.problems);
  return table;
}

}  // namespace pixeldrill::server

#include "server/griddap_table.h"

#include <cmath>
#include <unordered_map>

#include "core/error.h"
#include "server/served_types.h"

namespace pixeldrill::server {
using drill::check_deadline;

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
  std::unordered_map<int64_t, size_t> time_index;
  for (size_t i = 0; i < table.times.size(); ++i) time_index[table.times[i]] = i;
  std::unordered_map<double, size_t> lat_index, lon_index;
  for (size_t i = 0; i < table.lats.size(); ++i) lat_index[table.lats[i]] = i;
  for (size_t i = 0; i < table.lons.size(); ++i) lon_index[table.lons[i]] = i;
  for (const auto& row : series.rows) {
    const auto t = time_index.find(row.time);
    const auto y = lat_index.find(row.lat);
    const auto x = lon_index.find(row.lon);
    // Steps skipped by the stride, or pixels between strided ones.
    if (t == time_index.end() || y == lat_index.end() || x == lon_index.end()) continue;
    double* out =
        &table
             .values[((t->second * table.lats.size() + y->second) * table.lons.size() + x->second) *
                     table.nvars];
    for (size_t v = 0; v < table.nvars; ++v) out[v] = row.values[v];
  }
  table.problems = std::move(series.problems);
  return table;
}

}  // namespace pixeldrill::server

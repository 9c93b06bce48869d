#include "output/netcdf_writer.h"

#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "core/civil_time.h"
#include "core/clock.h"
#include "core/error.h"
#include "output/format_number.h"
#include "output/nc_file_writer.h"

namespace pixeldrill::output {
namespace {

// A JSON attribute value (string, number or array of numbers) as a netCDF
// attribute; numbers take `number_type`. Anything else (objects) is skipped:
// netCDF has no dict-valued attributes.
void put_json_attribute(const NcFileWriter& w, int varid, const std::string& name,
                        const nlohmann::json& value, nc_type number_type) {
  if (value.is_string()) {
    w.text(varid, name.c_str(), value.get<std::string>());
    return;
  }
  std::vector<double> numbers;
  if (value.is_number()) numbers.push_back(value.get<double>());
  if (value.is_array()) {
    for (const auto& x : value) {
      if (!x.is_number()) return;
      numbers.push_back(x.get<double>());
    }
  }
  if (numbers.empty()) return;
  if (number_type == NC_INT) {
    std::vector<int> ints(numbers.begin(), numbers.end());
    w.check(nc_put_att_int(w.id(), varid, name.c_str(), NC_INT, ints.size(), ints.data()));
  } else {
    w.check(
        nc_put_att_double(w.id(), varid, name.c_str(), NC_DOUBLE, numbers.size(), numbers.data()));
  }
}

std::string iso_now() { return format_iso8601(creation_time()); }

}  // namespace

bool global_attribute_still_holds(const std::string& name) {
  // What the data is, who made it, under which terms: true of a drilled
  // series too. Extent, making and file identity (time_coverage_*,
  // geospatial_*, date_created, history, source, uuid, id, file_quality_level,
  // *_time, *most_latitude...) are not, and are recomputed or left out.
  static const std::set<std::string> kept = {"title",
                                             "summary",
                                             "institution",
                                             "license",
                                             "acknowledgment",
                                             "acknowledgement",
                                             "references",
                                             "comment",
                                             "creator_name",
                                             "creator_email",
                                             "creator_url",
                                             "publisher_name",
                                             "publisher_email",
                                             "publisher_url",
                                             "project",
                                             "naming_authority",
                                             "keywords",
                                             "keywords_vocabulary",
                                             "standard_name_vocabulary",
                                             "platform",
                                             "sensor",
                                             "processing_level",
                                             "product_version",
                                             "gds_version_id",
                                             "contributor_name",
                                             "contributor_role",
                                             "program",
                                             "instrument"};
  return kept.count(name) > 0;
}

void write_netcdf(const drill::Series& series, const std::string& path,
                  const NetcdfOptions& options) {
  // Stations in order of first appearance; times sorted.
  using Key = std::tuple<std::string, double, double>;
  std::map<Key, size_t> station_index;
  std::vector<Key> stations;
  std::vector<int64_t> times;
  for (const auto& row : series.rows) {
    const Key key{row.site, row.lat, row.lon};
    if (station_index.emplace(key, stations.size()).second) stations.push_back(key);
    times.push_back(row.time);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  const size_t ns = stations.size(), nt = times.size();
  const size_t nvar = series.columns.size();
  std::vector<std::vector<double>> data(nvar, std::vector<double>(ns * nt, NAN));
  for (const auto& row : series.rows) {
    const size_t s = station_index.at({row.site, row.lat, row.lon});
    const size_t t =
        static_cast<size_t>(std::lower_bound(times.begin(), times.end(), row.time) - times.begin());
    for (size_t v = 0; v < nvar; ++v) data[v][s * nt + t] = row.values[v];
  }

  // Integer columns (quality_level, l2p_flags, counts) stay integers when
  // every value is a whole number in int range.
  std::vector<bool> is_int(nvar, false);
  for (size_t v = 0; v < nvar; ++v) {
    if (series.columns[v].digits != drill::Digits::kInteger) continue;
    bool whole = true;
    for (double x : data[v]) {
      whole &= std::isnan(x) || (x == std::trunc(x) && std::fabs(x) < 2147483647.0);
    }
    is_int[v] = whole;
  }
  const std::string temp = temp_path_beside(path);
  try {
    NcFileWriter w(temp, path);
    const int nc = w.id();
    int station_dim, time_dim;
    w.check(nc_def_dim(nc, "station", ns, &station_dim));
    w.check(nc_def_dim(nc, "time", nt, &time_dim));
    if (series.source_attributes.is_object()) {
      for (const auto& [name, value] : series.source_attributes.items()) {
        if (global_attribute_still_holds(name)) {
          put_json_attribute(w, NC_GLOBAL, name, value, NC_DOUBLE);
        }
      }
    }
    w.text(NC_GLOBAL, "Conventions", "CF-1.8");
    w.text(NC_GLOBAL, "featureType", "timeSeries");
    w.text(NC_GLOBAL, "cdm_data_type", "TimeSeries");
    w.text(NC_GLOBAL, "source", "pixeldrill drill (" + series.source + ")");
    const std::string now = iso_now();
    w.text(NC_GLOBAL, "date_created", now);
    w.text(
        NC_GLOBAL, "history",
        now + " " + (options.history.empty() ? std::string("pixeldrill drill") : options.history));
    if (nt > 0) {
      int64_t end = times.back();
      if (const auto it = series.periods.find(times.back()); it != series.periods.end()) {
        end = it->second.end;
      }
      w.text(NC_GLOBAL, "time_coverage_start", format_iso8601(times.front()));
      w.text(NC_GLOBAL, "time_coverage_end", format_iso8601(end));
    }
    if (ns > 0) {
      double lat_min = INFINITY, lat_max = -INFINITY, lon_min = INFINITY, lon_max = -INFINITY;
      for (const auto& [id, lat, lon] : stations) {
        lat_min = std::min(lat_min, lat);
        lat_max = std::max(lat_max, lat);
        lon_min = std::min(lon_min, lon);
        lon_max = std::max(lon_max, lon);
      }
      const std::pair<const char*, double> extent[] = {{"geospatial_lat_min", lat_min},
                                                       {"geospatial_lat_max", lat_max},
                                                       {"geospatial_lon_min", lon_min},
                                                       {"geospatial_lon_max", lon_max}};
      for (const auto& [name, v] : extent) {
        w.check(nc_put_att_double(nc, NC_GLOBAL, name, NC_DOUBLE, 1, &v));
      }
      w.text(NC_GLOBAL, "geospatial_lat_units", "degrees_north");
      w.text(NC_GLOBAL, "geospatial_lon_units", "degrees_east");
    }
    if (series.partial()) {
      std::string all;
      for (const auto& p : series.problems) all += p.message() + "\n";
      w.text(NC_GLOBAL, "pixeldrill_problems", all);
    }
    if (!series.notes.empty()) {
      std::string all;
      for (const auto& n : series.notes) all += n + "\n";
      w.text(NC_GLOBAL, "pixeldrill_notes", all);
    }
    int time_var, id_var, lat_var, lon_var;
    w.check(nc_def_var(nc, "time", NC_INT64, 1, &time_dim, &time_var));
    w.text(time_var, "standard_name", "time");
    w.text(time_var, "units", "seconds since 1970-01-01 00:00:00");
    w.text(time_var, "calendar", "proleptic_gregorian");
    w.text(time_var, "axis", "T");
    // Aggregates: each time is the start of a cell [start, end) (CF 7.1).
    int bounds_var = -1;
    if (!series.periods.empty()) {
      int nv_dim;
      w.check(nc_def_dim(nc, "nv", 2, &nv_dim));
      const int bdims[2] = {time_dim, nv_dim};
      w.check(nc_def_var(nc, "time_bnds", NC_INT64, 2, bdims, &bounds_var));
      w.text(time_var, "bounds", "time_bnds");
    }
    w.check(nc_def_var(nc, "station_id", NC_STRING, 1, &station_dim, &id_var));
    w.text(id_var, "cf_role", "timeseries_id");
    w.text(id_var, "long_name", "station id (LAT,LON of the pixel centre for unnamed box pixels)");
    w.check(nc_def_var(nc, "lat", NC_DOUBLE, 1, &station_dim, &lat_var));
    w.text(lat_var, "standard_name", "latitude");
    w.text(lat_var, "units", "degrees_north");
    w.text(lat_var, "long_name", "pixel centre latitude");
    w.check(nc_def_var(nc, "lon", NC_DOUBLE, 1, &station_dim, &lon_var));
    w.text(lon_var, "standard_name", "longitude");
    w.text(lon_var, "units", "degrees_east");
    w.text(lon_var, "long_name", "pixel centre longitude");
    // --keep-columns: the stations file's other columns, as text per station.
    std::vector<int> site_ids(series.site_columns.size());
    for (size_t k = 0; k < site_ids.size(); ++k) {
      std::string name = series.site_columns[k];
      for (const auto& c : series.columns) {
        if (c.name == name) name = "station_" + name;
      }
      if (name == "time" || name == "lat" || name == "lon" || name == "station_id") {
        name = "station_" + name;
      }
      w.check(nc_def_var(nc, name.c_str(), NC_STRING, 1, &station_dim, &site_ids[k]));
      w.text(site_ids[k], "long_name", "'" + series.site_columns[k] + "' of the stations file");
    }
    std::vector<int> var_ids(nvar);
    const int dims[2] = {station_dim, time_dim};
    const double fill = NAN;
    const int int_fill = NC_FILL_INT;
    for (size_t v = 0; v < nvar; ++v) {
      const auto& c = series.columns[v];
      const nc_type type = is_int[v] ? NC_INT : NC_DOUBLE;
      w.check(nc_def_var(nc, c.name.c_str(), type, 2, dims, &var_ids[v]));
      if (is_int[v]) {
        w.check(nc_put_att_int(nc, var_ids[v], "_FillValue", NC_INT, 1, &int_fill));
      } else {
        w.check(nc_put_att_double(nc, var_ids[v], "_FillValue", NC_DOUBLE, 1, &fill));
      }
      if (c.attributes.is_object()) {
        for (const auto& [name, value] : c.attributes.items()) {
          put_json_attribute(w, var_ids[v], name, value, type);
        }
      }
      if (!c.units.empty()) w.text(var_ids[v], "units", c.units);
      if (!c.long_name.empty()) w.text(var_ids[v], "long_name", c.long_name);
      if (!c.standard_name.empty()) w.text(var_ids[v], "standard_name", c.standard_name);
      w.text(var_ids[v], "coordinates", "time lat lon station_id");
      if (const auto m = series.cell_methods.find(c.name); m != series.cell_methods.end()) {
        w.text(var_ids[v], "cell_methods", m->second);
      }
    }
    w.check(nc_enddef(nc));
    if (nt > 0) {
      const std::vector<long long> t(times.begin(), times.end());
      w.check(nc_put_var_longlong(nc, time_var, t.data()));
      if (bounds_var >= 0) {
        std::vector<long long> b;
        for (int64_t start : times) {
          const auto it = series.periods.find(start);
          b.push_back(start);
          b.push_back(it == series.periods.end() ? start : it->second.end);
        }
        w.check(nc_put_var_longlong(nc, bounds_var, b.data()));
      }
    }
    if (ns > 0) {
      std::vector<const char*> ids;
      std::vector<double> lats, lons;
      std::vector<std::string> named;
      for (const auto& [id, lat, lon] : stations) {
        named.push_back(id.empty() ? format_coordinate(lat) + "," + format_coordinate(lon) : id);
      }
      for (const auto& [id, lat, lon] : stations) {
        ids.push_back(named[ids.size()].c_str());
        lats.push_back(lat);
        lons.push_back(lon);
      }
      w.check(nc_put_var_string(nc, id_var, ids.data()));
      w.check(nc_put_var_double(nc, lat_var, lats.data()));
      w.check(nc_put_var_double(nc, lon_var, lons.data()));
      for (size_t k = 0; k < site_ids.size(); ++k) {
        std::vector<const char*> texts;
        for (const auto& station : stations) {
          const auto it = series.site_values.find(std::get<0>(station));
          texts.push_back(
              it != series.site_values.end() && k < it->second.size() ? it->second[k].c_str() : "");
        }
        w.check(nc_put_var_string(nc, site_ids[k], texts.data()));
      }
    }
    for (size_t v = 0; v < nvar; ++v) {
      if (ns * nt == 0) continue;
      if (is_int[v]) {
        std::vector<int> ints(data[v].size());
        for (size_t i = 0; i < ints.size(); ++i) {
          ints[i] = std::isnan(data[v][i]) ? NC_FILL_INT : static_cast<int>(data[v][i]);
        }
        w.check(nc_put_var_int(nc, var_ids[v], ints.data()));
      } else {
        w.check(nc_put_var_double(nc, var_ids[v], data[v].data()));
      }
    }
    w.close();
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
  commit_temp(temp, path);
}

}  // namespace pixeldrill::output

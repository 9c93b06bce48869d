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

NetcdfStream::NetcdfStream(std::string path, NetcdfOptions options)
    : path_(std::move(path)), temp_(temp_path_beside(path_)), options_(std::move(options)) {}

NetcdfStream::~NetcdfStream() {
  if (committed_) return;
  file_.reset();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void NetcdfStream::begin(const drill::Series& head, std::vector<int64_t> times,
                         std::vector<bool> is_int) {
  head_ = head;  // (no rows: the drill's first pass)
  head_.rows.clear();
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  times_ = std::move(times);
  is_int_ = std::move(is_int);
  if (is_int_.size() != head_.columns.size()) {
    is_int_.assign(head_.columns.size(), false);
    for (size_t v = 0; v < is_int_.size(); ++v) {
      is_int_[v] = head_.columns[v].digits == drill::Digits::kInteger;
    }
  }
}

void NetcdfStream::rows(const drill::Series& block) {
  if (!file_) {
    // Stations in order of first appearance: every block holds every station.
    for (const auto& row : block.rows) {
      const Key key{row.site, row.lat, row.lon};
      if (station_index_.emplace(key, stations_.size()).second) stations_.push_back(key);
    }
    define();
  }
  if (block.rows.empty()) return;
  const size_t ns = stations_.size(), nvar = head_.columns.size();
  const auto time_at = [&](int64_t t) {
    const auto it = std::lower_bound(times_.begin(), times_.end(), t);
    if (it == times_.end() || *it != t) {
      throw Error(ErrorKind::kInternal, path_ + ": a row's time is not on the time axis");
    }
    return static_cast<size_t>(it - times_.begin());
  };
  size_t t0 = SIZE_MAX, t1 = 0;
  for (const auto& row : block.rows) {
    const size_t t = time_at(row.time);
    t0 = std::min(t0, t);
    t1 = std::max(t1, t);
  }
  const size_t nt = t1 - t0 + 1;
  std::vector<std::vector<double>> data(nvar, std::vector<double>(ns * nt, NAN));
  for (const auto& row : block.rows) {
    const auto it = station_index_.find({row.site, row.lat, row.lon});
    if (it == station_index_.end()) {
      throw Error(ErrorKind::kInternal, path_ + ": station '" + row.site + "' first seen late");
    }
    const size_t t = time_at(row.time) - t0;
    for (size_t v = 0; v < nvar; ++v) data[v][it->second * nt + t] = row.values[v];
  }
  const size_t start[2] = {0, t0}, count[2] = {ns, nt};
  for (size_t v = 0; v < nvar; ++v) {
    if (ns == 0) continue;
    if (is_int_[v]) {
      std::vector<int> ints(data[v].size());
      for (size_t i = 0; i < ints.size(); ++i) {
        const double x = data[v][i];
        if (!std::isnan(x) && !(x == std::trunc(x) && std::fabs(x) < 2147483647.0)) {
          throw Error(ErrorKind::kInternal, path_ + ": " + head_.columns[v].name + " holds " +
                                                format_value(x) + ", not an int");
        }
        ints[i] = std::isnan(x) ? NC_FILL_INT : static_cast<int>(x);
      }
      file_->check(nc_put_vara_int(file_->id(), var_ids_[v], start, count, ints.data()));
    } else {
      file_->check(nc_put_vara_double(file_->id(), var_ids_[v], start, count, data[v].data()));
    }
  }
}

void NetcdfStream::end(const drill::Series& summary) {
  if (!file_) define();
  NcFileWriter& w = *file_;
  // Known only at the end, and the last global attributes of the file.
  const bool more = summary.partial() || !summary.notes.empty();
  if (more) w.check(nc_redef(w.id()));
  if (summary.partial()) {
    std::string all;
    for (const auto& p : summary.problems) all += p.message() + "\n";
    w.text(NC_GLOBAL, "pixeldrill_problems", all);
  }
  if (!summary.notes.empty()) {
    std::string all;
    for (const auto& n : summary.notes) all += n + "\n";
    w.text(NC_GLOBAL, "pixeldrill_notes", all);
  }
  if (more) w.check(nc_enddef(w.id()));
  w.close();
  file_.reset();
  commit_temp(temp_, path_);
  committed_ = true;
}

void NetcdfStream::define() {
  file_ = std::make_unique<NcFileWriter>(temp_, path_);
  NcFileWriter& w = *file_;
  const drill::Series& series = head_;
  const std::vector<int64_t>& times = times_;
  const auto& stations = stations_;
  const size_t ns = stations.size(), nt = times.size(), nvar = series.columns.size();
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
      now + " " + (options_.history.empty() ? std::string("pixeldrill drill") : options_.history));
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
  var_ids_.assign(nvar, 0);
  const int dims[2] = {station_dim, time_dim};
  const double fill = NAN;
  const int int_fill = NC_FILL_INT;
  for (size_t v = 0; v < nvar; ++v) {
    const auto& c = series.columns[v];
    const nc_type type = is_int_[v] ? NC_INT : NC_DOUBLE;
    w.check(nc_def_var(nc, c.name.c_str(), type, 2, dims, &var_ids_[v]));
    if (is_int_[v]) {
      w.check(nc_put_att_int(nc, var_ids_[v], "_FillValue", NC_INT, 1, &int_fill));
    } else {
      w.check(nc_put_att_double(nc, var_ids_[v], "_FillValue", NC_DOUBLE, 1, &fill));
    }
    if (c.attributes.is_object()) {
      for (const auto& [name, value] : c.attributes.items()) {
        put_json_attribute(w, var_ids_[v], name, value, type);
      }
    }
    if (!c.units.empty()) w.text(var_ids_[v], "units", c.units);
    if (!c.long_name.empty()) w.text(var_ids_[v], "long_name", c.long_name);
    if (!c.standard_name.empty()) w.text(var_ids_[v], "standard_name", c.standard_name);
    w.text(var_ids_[v], "coordinates", "time lat lon station_id");
    if (const auto m = series.cell_methods.find(c.name); m != series.cell_methods.end()) {
      w.text(var_ids_[v], "cell_methods", m->second);
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
}

void write_netcdf(const drill::Series& series, const std::string& path,
                  const NetcdfOptions& options) {
  // Integer columns (quality_level, l2p_flags, counts) stay integers when
  // every value is a whole number in int range.
  std::vector<bool> is_int(series.columns.size(), false);
  for (size_t v = 0; v < is_int.size(); ++v) {
    if (series.columns[v].digits != drill::Digits::kInteger) continue;
    bool whole = true;
    for (const auto& row : series.rows) {
      const double x = row.values[v];
      whole &= std::isnan(x) || (x == std::trunc(x) && std::fabs(x) < 2147483647.0);
    }
    is_int[v] = whole;
  }
  std::vector<int64_t> times;
  for (const auto& row : series.rows) times.push_back(row.time);
  NetcdfStream stream(path, options);
  stream.begin(series, std::move(times), std::move(is_int));
  stream.rows(series);
  stream.end(series);
}

}  // namespace pixeldrill::output

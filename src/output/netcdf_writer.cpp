#include "output/netcdf_writer.h"

#include <netcdf.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/error.h"
#include "output/format_number.h"

namespace pixeldrill::output {
namespace {

// A failed close on a full disk leaves HDF5 holding the file; main() turns
// off HDF5's at-exit cleanup (H5dont_atexit) so that this cannot crash at exit.
class Writer {
 public:
  Writer(const std::string& temp, const std::string& path) : path_(path) {
    check(nc_create(temp.c_str(), NC_NETCDF4 | NC_CLOBBER, &ncid_));
  }
  ~Writer() {
    if (ncid_ >= 0) nc_close(ncid_);
  }
  void check(int status) const {
    if (status == NC_NOERR) return;
    // HDF5 reports a full disk as "HDF error"; errno still says what happened.
    const int why = errno;
    std::string message = path_ + ": cannot write NetCDF: " + nc_strerror(status);
    if (why == ENOSPC || why == EDQUOT || why == EIO || why == EFBIG) {
      message += std::string(" (") + std::strerror(why) + ")";
    }
    throw Error(message);
  }
  void text(int varid, const char* name, const std::string& value) const {
    check(nc_put_att_text(ncid_, varid, name, value.size(), value.c_str()));
  }
  void close() {
    const int id = ncid_;
    ncid_ = -1;
    check(nc_close(id));
  }
  int id() const { return ncid_; }

 private:
  int ncid_ = -1;
  std::string path_;
};

}  // namespace

void write_netcdf(const drill::Series& series, const std::string& path) {
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

  const std::string temp = temp_path_beside(path);
  try {
    Writer w(temp, path);
    const int nc = w.id();
    int station_dim, time_dim;
    w.check(nc_def_dim(nc, "station", ns, &station_dim));
    w.check(nc_def_dim(nc, "time", nt, &time_dim));
    w.text(NC_GLOBAL, "Conventions", "CF-1.8");
    w.text(NC_GLOBAL, "featureType", "timeSeries");
    w.text(NC_GLOBAL, "source", "pixeldrill drill (" + series.source + ")");
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
    w.text(id_var, "long_name", "station id (empty for a point or box pixel)");
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
    for (size_t v = 0; v < nvar; ++v) {
      const auto& c = series.columns[v];
      w.check(nc_def_var(nc, c.name.c_str(), NC_DOUBLE, 2, dims, &var_ids[v]));
      w.check(nc_put_att_double(nc, var_ids[v], "_FillValue", NC_DOUBLE, 1, &fill));
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
      for (const auto& [id, lat, lon] : stations) {
        ids.push_back(id.c_str());
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
      if (ns * nt > 0) w.check(nc_put_var_double(nc, var_ids[v], data[v].data()));
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

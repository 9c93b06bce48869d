#include "output/netcdf_writer.h"

#include <netcdf.h>
#include <netcdf_mem.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <tuple>

#include "core/error.h"
#include "output/format_number.h"

namespace pixeldrill::output {
namespace {

// The file is built in memory (netCDF-C's NC_INMEMORY, HDF5's core driver) and
// written with one checked write: HDF5 writing straight to a full disk fails
// half-way and leaves a file id open that crashes HDF5 at process exit.
class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) {
    check(nc_create_mem(path.c_str(), NC_NETCDF4, 1 << 16, &ncid_));
  }
  ~Writer() {
    if (ncid_ >= 0) {
      NC_memio memio{};
      nc_close_memio(ncid_, &memio);
      std::free(memio.memory);
    }
  }
  void check(int status) const {
    if (status != NC_NOERR) throw Error(path_ + ": cannot write NetCDF: " + nc_strerror(status));
  }
  void text(int varid, const char* name, const std::string& value) const {
    check(nc_put_att_text(ncid_, varid, name, value.size(), value.c_str()));
  }
  // Closes the file and writes its bytes to the path through a temporary name.
  void close_and_write() {
    const int id = ncid_;
    ncid_ = -1;
    NC_memio memio{};
    const int status = nc_close_memio(id, &memio);
    std::unique_ptr<void, decltype(&std::free)> owned(memio.memory, &std::free);
    check(status);
    write_file_atomically(path_, memio.memory, memio.size);
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

  {
    Writer w(path);
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
    int time_var, id_var, lat_var, lon_var;
    w.check(nc_def_var(nc, "time", NC_INT64, 1, &time_dim, &time_var));
    w.text(time_var, "standard_name", "time");
    w.text(time_var, "units", "seconds since 1970-01-01 00:00:00");
    w.text(time_var, "calendar", "proleptic_gregorian");
    w.text(time_var, "axis", "T");
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
    }
    w.check(nc_enddef(nc));
    if (nt > 0) {
      const std::vector<long long> t(times.begin(), times.end());
      w.check(nc_put_var_longlong(nc, time_var, t.data()));
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
    }
    for (size_t v = 0; v < nvar; ++v) {
      if (ns * nt > 0) w.check(nc_put_var_double(nc, var_ids[v], data[v].data()));
    }
    w.close_and_write();
  }
}

}  // namespace pixeldrill::output

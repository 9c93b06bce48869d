// Benchmark contender "nc_loop": the plain netCDF-C loop a C/C++ user would
// write by hand. For every file: read the coordinates, find the nearest
// pixel(s), nc_get_vara_double the values, decode them with that file's own
// _FillValue/missing_value/scale_factor/add_offset, print CSV.
//
//   nc_loop_drill --files LIST.txt --vars a,b
//                 (--point LAT,LON | --stations FILE.csv | --box S,N,W,E)
//
// Output (stdout): time,site,lat,lon,<vars>; time in Unix seconds, a missing
// value is an empty field, a box prints the per-time mean of valid pixels.
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_query_args.h"
#include "core/civil_time.h"

namespace {

using Args = pixeldrill::bench::QueryArgs;

void check(int status, const std::string& what) {
  if (status != NC_NOERR) throw std::runtime_error(what + ": " + nc_strerror(status));
}

Args parse_args(int argc, char** argv) {
  CLI::App app{"nc_loop_drill: the plain netCDF-C loop benchmark contender"};
  Args a;
  std::string files, point, stations, box;
  pixeldrill::bench::add_query_options(app, a, files, point, stations, box);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  pixeldrill::bench::finish_query_args(a, files, point, stations, box);
  return a;
}

std::vector<double> read_coord(int nc, const std::string& name) {
  int varid = 0, dimid = 0;
  check(nc_inq_varid(nc, name.c_str(), &varid), "coordinate " + name);
  check(nc_inq_vardimid(nc, varid, &dimid), name);
  size_t n = 0;
  check(nc_inq_dimlen(nc, dimid, &n), name);
  std::vector<double> v(n);
  check(nc_get_var_double(nc, varid, v.data()), name);
  return v;
}

// Unix seconds of every time value, from CF "<unit> since <date>" units.
std::vector<int64_t> read_times(int nc) {
  std::vector<double> raw = read_coord(nc, "time");
  int varid = 0;
  check(nc_inq_varid(nc, "time", &varid), "time");
  size_t len = 0;
  check(nc_inq_attlen(nc, varid, "units", &len), "time:units");
  std::string units(len, '\0');
  check(nc_get_att_text(nc, varid, "units", units.data()), "time:units");
  auto since = units.find(" since ");
  if (since == std::string::npos) throw std::runtime_error("time units: " + units);
  std::string unit = units.substr(0, since);
  std::string origin = units.substr(since + 7);
  while (!origin.empty() && (origin.back() == '\0' || origin.back() == ' ')) origin.pop_back();
  double scale = unit == "seconds" ? 1 : unit == "minutes" ? 60 : unit == "hours" ? 3600 : 86400;
  int64_t epoch = pixeldrill::parse_iso8601(origin, "time units");
  std::vector<int64_t> out;
  for (double r : raw) out.push_back(epoch + static_cast<int64_t>(std::llround(r * scale)));
  return out;
}

struct Decoder {
  bool present = false;
  int varid = 0;
  std::optional<double> fill, missing;
  double scale = 1, offset = 0;
  double decode(double raw) const {
    if ((fill && raw == *fill) || (missing && raw == *missing)) return NAN;
    return raw * scale + offset;
  }
};

std::optional<double> att_double(int nc, int varid, const char* name) {
  double v = 0;
  if (nc_get_att_double(nc, varid, name, &v) != NC_NOERR) return std::nullopt;
  return v;
}

Decoder decoder_for(int nc, const std::string& var) {
  Decoder d;
  if (nc_inq_varid(nc, var.c_str(), &d.varid) != NC_NOERR) return d;
  d.present = true;
  d.fill = att_double(nc, d.varid, "_FillValue");
  d.missing = att_double(nc, d.varid, "missing_value");
  d.scale = att_double(nc, d.varid, "scale_factor").value_or(1.0);
  d.offset = att_double(nc, d.varid, "add_offset").value_or(0.0);
  return d;
}

void print_value(double v) {
  if (std::isnan(v))
    std::fputs(",", stdout);
  else
    std::printf(",%.10g", v);
}

void drill_file(const Args& a, const std::string& path) {
  int nc = 0;
  check(nc_open(path.c_str(), NC_NOWRITE, &nc), path);
  std::vector<double> lat = read_coord(nc, "lat"), lon = read_coord(nc, "lon");
  std::vector<int64_t> times = read_times(nc);
  std::vector<Decoder> dec;
  for (const auto& v : a.vars) dec.push_back(decoder_for(nc, v));
  const size_t nt = times.size();
  if (a.box) {
    const auto& b = *a.box;
    size_t i0 = lat.size(), i1 = 0, j0 = lon.size(), j1 = 0;
    for (size_t i = 0; i < lat.size(); ++i)
      if (lat[i] >= b.south && lat[i] <= b.north) i0 = std::min(i0, i), i1 = std::max(i1, i);
    for (size_t j = 0; j < lon.size(); ++j)
      if (lon[j] >= b.west && lon[j] <= b.east) j0 = std::min(j0, j), j1 = std::max(j1, j);
    if (i0 > i1 || j0 > j1) throw std::runtime_error(path + ": box holds no pixel");
    const size_t ni = i1 - i0 + 1, nj = j1 - j0 + 1;
    std::vector<std::vector<double>> means(a.vars.size(), std::vector<double>(nt, NAN));
    std::vector<double> buf(nt * ni * nj);
    for (size_t v = 0; v < dec.size(); ++v) {
      if (!dec[v].present) continue;
      size_t start[3] = {0, i0, j0}, count[3] = {nt, ni, nj};
      check(nc_get_vara_double(nc, dec[v].varid, start, count, buf.data()), path + " " + a.vars[v]);
      for (size_t t = 0; t < nt; ++t) {
        double sum = 0;
        size_t n = 0;
        for (size_t k = 0; k < ni * nj; ++k) {
          double x = dec[v].decode(buf[t * ni * nj + k]);
          if (!std::isnan(x)) sum += x, ++n;
        }
        if (n) means[v][t] = sum / static_cast<double>(n);
      }
    }
    for (size_t t = 0; t < nt; ++t) {
      std::printf("%lld,,%.6f,%.6f", static_cast<long long>(times[t]), 0.5 * (lat[i0] + lat[i1]),
                  0.5 * (lon[j0] + lon[j1]));
      for (size_t v = 0; v < dec.size(); ++v) print_value(means[v][t]);
      std::fputs("\n", stdout);
    }
  } else {
    for (const auto& s : a.sites) {
      size_t i = pixeldrill::bench::nearest(lat, s.lat), j = pixeldrill::bench::nearest(lon, s.lon);
      std::vector<std::vector<double>> vals(a.vars.size(), std::vector<double>(nt, NAN));
      for (size_t v = 0; v < dec.size(); ++v) {
        if (!dec[v].present) continue;
        std::vector<double> raw(nt);
        size_t start[3] = {0, i, j}, count[3] = {nt, 1, 1};
        check(nc_get_vara_double(nc, dec[v].varid, start, count, raw.data()),
              path + " " + a.vars[v]);
        for (size_t t = 0; t < nt; ++t) vals[v][t] = dec[v].decode(raw[t]);
      }
      for (size_t t = 0; t < nt; ++t) {
        std::printf("%lld,%s,%.6f,%.6f", static_cast<long long>(times[t]), s.id.c_str(), lat[i],
                    lon[j]);
        for (size_t v = 0; v < dec.size(); ++v) print_value(vals[v][t]);
        std::fputs("\n", stdout);
      }
    }
  }
  nc_close(nc);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse_args(argc, argv);
    std::printf("time,site,lat,lon");
    for (const auto& v : a.vars) std::printf(",%s", v.c_str());
    std::printf("\n");
    for (const auto& f : a.files) drill_file(a, f);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nc_loop_drill: %s\n", e.what());
    return 1;
  }
}

// CF metadata and the reference drill on small files written here with
// netCDF-C: other axis directions, dimension orders, UNLIMITED time with
// several steps, missing_value, unsupported calendars.
#include "catalog/nc_metadata.h"

#include <gtest/gtest.h>
#include <netcdf.h>

#include <cmath>

#include "../drill/drill_test_util.h"
#include "core/error.h"
#include "drill/netcdf_dataset.h"

using namespace pixeldrill;
using namespace pixeldrill::testing;

namespace {

void ok(int status) { ASSERT_EQ(status, NC_NOERR) << nc_strerror(status); }

struct FileSpec {
  size_t nlat = 30, nlon = 40, ntime = 3;
  bool lat_ascending = true;
  bool lon_first = false;  // data dims (time, lon, lat) instead of (time, lat, lon)
  std::string calendar = "standard";
  std::string time_units = "days since 2000-01-01";
  double step = 0.5;
};

// value(t, r, c) = t * 100000 + r * 100 + c, stored as int with
// missing_value -1 at (r == c).
void write_file(const std::string& path, const FileSpec& s) {
  int nc, dlat, dlon, dtime, vlat, vlon, vtime, vdata;
  ok(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc));
  ok(nc_def_dim(nc, "time", NC_UNLIMITED, &dtime));
  ok(nc_def_dim(nc, "y", s.nlat, &dlat));
  ok(nc_def_dim(nc, "x", s.nlon, &dlon));
  ok(nc_def_var(nc, "y", NC_DOUBLE, 1, &dlat, &vlat));
  ok(nc_put_att_text(nc, vlat, "units", 13, "degrees_north"));
  ok(nc_def_var(nc, "x", NC_DOUBLE, 1, &dlon, &vlon));
  ok(nc_put_att_text(nc, vlon, "units", 12, "degrees_east"));
  ok(nc_def_var(nc, "time", NC_DOUBLE, 1, &dtime, &vtime));
  ok(nc_put_att_text(nc, vtime, "units", s.time_units.size(), s.time_units.c_str()));
  ok(nc_put_att_text(nc, vtime, "calendar", s.calendar.size(), s.calendar.c_str()));
  const int dims_normal[3] = {dtime, dlat, dlon}, dims_swapped[3] = {dtime, dlon, dlat};
  ok(nc_def_var(nc, "field", NC_INT, 3, s.lon_first ? dims_swapped : dims_normal, &vdata));
  const int missing = -1;
  ok(nc_put_att_int(nc, vdata, "missing_value", NC_INT, 1, &missing));
  ok(nc_put_att_text(nc, vdata, "units", 1, "1"));
  ok(nc_enddef(nc));
  std::vector<double> lat(s.nlat), lon(s.nlon), time(s.ntime);
  for (size_t i = 0; i < s.nlat; ++i) {
    lat[i] = s.lat_ascending ? -40 + s.step * static_cast<double>(i)
                             : 0 - s.step * static_cast<double>(i);
  }
  for (size_t j = 0; j < s.nlon; ++j) lon[j] = 100 + s.step * static_cast<double>(j);
  for (size_t t = 0; t < s.ntime; ++t) time[t] = static_cast<double>(t) + 0.5;
  ok(nc_put_var_double(nc, vlat, lat.data()));
  ok(nc_put_var_double(nc, vlon, lon.data()));
  const size_t tstart = 0, tcount = s.ntime;
  ok(nc_put_vara_double(nc, vtime, &tstart, &tcount, time.data()));
  std::vector<int> data;
  for (size_t t = 0; t < s.ntime; ++t) {
    if (s.lon_first) {
      for (size_t c = 0; c < s.nlon; ++c)
        for (size_t r = 0; r < s.nlat; ++r)
          data.push_back(r == c ? -1 : static_cast<int>(t * 100000 + r * 100 + c));
    } else {
      for (size_t r = 0; r < s.nlat; ++r)
        for (size_t c = 0; c < s.nlon; ++c)
          data.push_back(r == c ? -1 : static_cast<int>(t * 100000 + r * 100 + c));
    }
  }
  const size_t start[3] = {0, 0, 0};
  const size_t count[3] = {s.ntime, s.lon_first ? s.nlon : s.nlat, s.lon_first ? s.nlat : s.nlon};
  ok(nc_put_vara_int(nc, vdata, start, count, data.data()));
  ok(nc_close(nc));
}

drill::Series drill_file(const std::string& path, const drill::Query& q) {
  auto source = drill::open_netcdf_dataset(path);
  EXPECT_NE(source, nullptr);
  return source->drill(q);
}

}  // namespace

TEST(NetcdfMetadata, ReadsGridTimesAndPackingFromCfAttributes) {
  TempDir dir;
  FileSpec spec;
  write_file(dir / "a.nc", spec);
  const auto f = formats::netcdf::NcFile::open(dir / "a.nc");
  const auto m = catalog::read_metadata(f);
  EXPECT_EQ(m.grid.lat.name, "y");
  EXPECT_EQ(m.grid.lon.name, "x");
  EXPECT_TRUE(m.grid.lat.ascending());
  EXPECT_FALSE(m.grid.lat.float32);
  ASSERT_EQ(m.times.size(), 3u);
  // 2000-01-01 + 0.5 day = 946684800 + 43200.
  EXPECT_EQ(m.times[0], 946728000);
  EXPECT_EQ(m.times[2], 946728000 + 2 * 86400);
  ASSERT_EQ(m.variables.count("field"), 1u);
  const auto& v = m.variables.at("field");
  EXPECT_EQ(v.packing.type, catalog::StorageType::kInt32);
  EXPECT_EQ(v.packing.missing_value, -1.0);
  EXPECT_FALSE(v.packing.fill_value.has_value());
  EXPECT_EQ(v.dims, (std::vector<std::string>{"time", "y", "x"}));
}

TEST(NetcdfMetadata, UnsupportedCalendarIsAnErrorNamingFileAndVariable) {
  TempDir dir;
  FileSpec spec;
  spec.calendar = "noleap";
  write_file(dir / "noleap.nc", spec);
  const auto f = formats::netcdf::NcFile::open(dir / "noleap.nc");
  try {
    catalog::read_metadata(f);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("noleap.nc: variable time"), std::string::npos) << m;
    EXPECT_NE(m.find("calendar 'noleap'"), std::string::npos) << m;
  }
}

TEST(NetcdfDrill, SeveralTimeStepsAscendingLatitudesAndMissingValue) {
  TempDir dir;
  FileSpec spec;
  write_file(dir / "a.nc", spec);
  drill::Query q;
  q.vars = {"field"};
  q.sites = {{"p", -38.9, 101.6}, {"diag", -39.0, 101.0}};  // rows 2, col 3; row 2 col 2
  const auto s = drill_file(dir / "a.nc", q);
  ASSERT_EQ(s.rows.size(), 6u);
  EXPECT_EQ(s.rows[0].lat, -39.0);
  EXPECT_EQ(s.rows[0].lon, 101.5);
  EXPECT_EQ(s.rows[0].values[0], 203);
  EXPECT_TRUE(std::isnan(s.rows[1].values[0]));  // missing_value on the diagonal
  EXPECT_EQ(s.rows[4].values[0], 200203);
  EXPECT_EQ(s.rows[4].time, 946728000 + 2 * 86400);
  // A box on an ascending latitude axis still comes out north first.
  q.sites.clear();
  q.box = drill::Box{-39.1, -38.4, 100.9, 101.6};
  const auto b = drill_file(dir / "a.nc", q);
  ASSERT_EQ(b.rows.size(), 3u * 2 * 2);
  EXPECT_EQ(b.rows[0].lat, -38.5);
  EXPECT_EQ(b.rows[0].lon, 101.0);
  EXPECT_EQ(b.rows[0].values[0], 302);
  EXPECT_EQ(b.rows[3].values[0], 203);
}

TEST(NetcdfDrill, LonBeforeLatDimensionOrderReadsTheSamePixels) {
  TempDir dir;
  FileSpec spec;
  spec.lon_first = true;
  spec.lat_ascending = false;
  write_file(dir / "swapped.nc", spec);
  drill::Query q;
  q.vars = {"field"};
  q.sites = {{"", -2.0, 107.5}};  // row 4, col 15
  const auto s = drill_file(dir / "swapped.nc", q);
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.rows[1].values[0], 100415);
}

TEST(NetcdfDrill, FarApartStationsOnABigGridReadPixelByPixel) {
  TempDir dir;
  FileSpec spec;
  spec.nlat = 1200;
  spec.nlon = 1000;
  spec.ntime = 2;
  spec.step = 0.02;
  write_file(dir / "big.nc", spec);
  drill::Query q;
  q.vars = {"field"};
  q.sites = {
      {"sw", -40.0, 100.0}, {"ne", -40 + 0.02 * 1199, 100 + 0.02 * 998}, {"mid", -30, 110.5}};
  const auto s = drill_file(dir / "big.nc", q);
  ASSERT_EQ(s.rows.size(), 6u);
  EXPECT_TRUE(std::isnan(s.rows[0].values[0]));  // (0, 0) is on the diagonal
  EXPECT_EQ(s.rows[1].values[0], 1199 * 100 + 998);
  EXPECT_EQ(s.rows[2].values[0], 500 * 100 + 525);
  EXPECT_EQ(s.rows[4].values[0], 100000 + 1199 * 100 + 998);
  EXPECT_EQ(s.rows[5].values[0], 100000 + 500 * 100 + 525);
}

TEST(NetcdfDrill, UnsignedBytesAreReadAsXarrayDoes) {
  TempDir dir;
  const std::string path = dir / "u.nc";
  int nc, dlat, dlon, dtime, vlat, vlon, vtime, vdata;
  ok(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc));
  ok(nc_def_dim(nc, "time", 1, &dtime));
  ok(nc_def_dim(nc, "lat", 2, &dlat));
  ok(nc_def_dim(nc, "lon", 2, &dlon));
  ok(nc_def_var(nc, "lat", NC_FLOAT, 1, &dlat, &vlat));
  ok(nc_def_var(nc, "lon", NC_FLOAT, 1, &dlon, &vlon));
  ok(nc_def_var(nc, "time", NC_INT, 1, &dtime, &vtime));
  ok(nc_put_att_text(nc, vtime, "units", 28, "hours since 2020-01-01 00:00"));
  const int dims[3] = {dtime, dlat, dlon};
  ok(nc_def_var(nc, "ice", NC_BYTE, 3, dims, &vdata));
  ok(nc_put_att_text(nc, vdata, "_Unsigned", 4, "true"));
  const signed char fill = -1;
  ok(nc_put_att_schar(nc, vdata, "_FillValue", NC_BYTE, 1, &fill));
  const double scale = 0.5;
  ok(nc_put_att_double(nc, vdata, "scale_factor", NC_DOUBLE, 1, &scale));
  ok(nc_enddef(nc));
  const float lat[2] = {1, 0}, lon[2] = {10, 11};
  const int t = 5;
  const signed char data[4] = {-56, 100, -1, 0};
  ok(nc_put_var_float(nc, vlat, lat));
  ok(nc_put_var_float(nc, vlon, lon));
  ok(nc_put_var_int(nc, vtime, &t));
  ok(nc_put_var_schar(nc, vdata, data));
  ok(nc_close(nc));

  drill::Query q;
  q.vars = {"ice"};
  q.box = drill::Box{0, 1, 10, 11};
  const auto s = drill_file(path, q);
  ASSERT_EQ(s.rows.size(), 4u);
  EXPECT_EQ(s.rows[0].time, 1577836800 + 5 * 3600);
  EXPECT_EQ(s.rows[0].values[0], 100.0);  // 200 * 0.5
  EXPECT_EQ(s.rows[1].values[0], 50.0);
  EXPECT_TRUE(std::isnan(s.rows[2].values[0]));  // 255 is the fill
  EXPECT_EQ(s.rows[3].values[0], 0.0);
  const auto py = run(python() + " -c \"import xarray as xr; print(list(xr.open_dataset('" + path +
                      "').ice.values.ravel()))\"");
  EXPECT_EQ(py.out, "[100.0, 50.0, nan, 0.0]\n");
}

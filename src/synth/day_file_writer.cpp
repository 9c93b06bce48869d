#include "synth/day_file_writer.h"

#include <hdf5.h>
#include <netcdf.h>

#include <cstring>

#include "core/error.h"

namespace pixeldrill::synth {
namespace {

void check(int status, const std::string& path, const std::string& what) {
  if (status != NC_NOERR) throw Error("synth: " + path + ": " + what + ": " + nc_strerror(status));
}

template <typename T>
std::vector<T> convert(const std::vector<double>& values) {
  std::vector<T> out;
  for (double v : values) out.push_back(static_cast<T>(v));
  return out;
}

void put_attr(int ncid, int varid, const Attr& a, const Era& era, const std::string& path) {
  const std::string where = "attribute " + a.name;
  if (a.type == NC_CHAR) {
    std::string value = a.text;
    if (value == "$wind") value = era.wind_source;
    if (value == "$analysis") value = era.analysis_source;
    if (value == "$ice") value = era.ice_source;
    check(nc_put_att_text(ncid, varid, a.name.c_str(), value.size(), value.data()), path, where);
    return;
  }
  const size_t n = a.numbers.size();
  switch (a.type) {
    case NC_BYTE: {
      auto v = convert<signed char>(a.numbers);
      check(nc_put_att_schar(ncid, varid, a.name.c_str(), NC_BYTE, n, v.data()), path, where);
      break;
    }
    case NC_SHORT: {
      auto v = convert<short>(a.numbers);
      check(nc_put_att_short(ncid, varid, a.name.c_str(), NC_SHORT, n, v.data()), path, where);
      break;
    }
    case NC_INT: {
      auto v = convert<int>(a.numbers);
      check(nc_put_att_int(ncid, varid, a.name.c_str(), NC_INT, n, v.data()), path, where);
      break;
    }
    case NC_FLOAT: {
      auto v = convert<float>(a.numbers);
      check(nc_put_att_float(ncid, varid, a.name.c_str(), NC_FLOAT, n, v.data()), path, where);
      break;
    }
    default:
      check(nc_put_att_double(ncid, varid, a.name.c_str(), NC_DOUBLE, n, a.numbers.data()), path,
            where);
  }
}

int def_coordinate(int ncid, const char* name, int dim, size_t len, nc_type type,
                   const std::vector<Attr>& attrs, const Era& era, const std::string& path) {
  int varid = 0;
  check(nc_def_var(ncid, name, type, 1, &dim, &varid), path, std::string("define ") + name);
  check(nc_def_var_chunking(ncid, varid, NC_CHUNKED, &len), path, "chunking");
  check(nc_def_var_deflate(ncid, varid, 1, 1, 3), path, "deflate");
  if (type == NC_FLOAT) {
    const float fill = NC_FILL_FLOAT;
    check(nc_put_att_float(ncid, varid, "_FillValue", NC_FLOAT, 1, &fill), path, "_FillValue");
  } else if (type == NC_DOUBLE) {
    const double fill = NC_FILL_DOUBLE;
    check(nc_put_att_double(ncid, varid, "_FillValue", NC_DOUBLE, 1, &fill), path, "_FillValue");
  } else {
    const int fill = -2147483647;
    check(nc_put_att_int(ncid, varid, "_FillValue", NC_INT, 1, &fill), path, "_FillValue");
  }
  for (const Attr& a : attrs) put_attr(ncid, varid, a, era, path);
  return varid;
}

std::vector<Attr> coordinate_attrs(bool is_lat) {
  const std::string axis = is_lat ? "latitude" : "longitude";
  return {{"long_name", NC_CHAR, axis, {}},
          {"units", NC_CHAR, is_lat ? "degrees_north" : "degrees_east", {}},
          {"valid_min", NC_FLOAT, {}, {is_lat ? -90.0 : -180.0}},
          {"valid_max", NC_FLOAT, {}, {is_lat ? 90.0 : 360.0}},
          {"axis", NC_CHAR, is_lat ? "Y" : "X", {}},
          {"comment",
           NC_CHAR,
           is_lat ? "Latitudes for locating data" : "Longitudes for locating data",
           {}},
          {"standard_name", NC_CHAR, axis, {}}};
}

void define_and_write_metadata(const std::string& path, const SynthGrid& grid, const FileTime& time,
                               const Era& era, const std::vector<Attr>& global_attrs,
                               const std::vector<EncodedVar>& vars) {
  int ncid = 0;
  check(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &ncid), path, "create");
  try {
    int dlat = 0, dlon = 0, dtime = 0;
    check(nc_def_dim(ncid, "lat", grid.nlat, &dlat), path, "dimension lat");
    check(nc_def_dim(ncid, "lon", grid.nlon, &dlon), path, "dimension lon");
    check(nc_def_dim(ncid, "time", time.unlimited ? NC_UNLIMITED : time.values.size(), &dtime),
          path, "dimension time");
    const int vlat =
        def_coordinate(ncid, "lat", dlat, grid.nlat, NC_FLOAT, coordinate_attrs(true), era, path);
    const int vlon =
        def_coordinate(ncid, "lon", dlon, grid.nlon, NC_FLOAT, coordinate_attrs(false), era, path);
    const int vtime = def_coordinate(ncid, "time", dtime, 1, time.coding.type,
                                     {{"long_name", NC_CHAR, "reference time of sst file", {}},
                                      {"units", NC_CHAR, time.coding.units, {}},
                                      {"axis", NC_CHAR, "T", {}},
                                      {"comment", NC_CHAR, "A typical reference time for data", {}},
                                      {"standard_name", NC_CHAR, "time", {}},
                                      {"calendar", NC_CHAR, "gregorian", {}}},
                                     era, path);
    const int dims[3] = {dtime, dlat, dlon};
    for (const EncodedVar& ev : vars) {
      const VarSpec& v = *ev.spec;
      int varid = 0;
      check(nc_def_var(ncid, v.name.c_str(), v.type, 3, dims, &varid), path, "define " + v.name);
      check(nc_def_var_chunking(ncid, varid, NC_CHUNKED, ev.chunk.data()), path,
            v.name + " chunking");
      check(nc_def_var_deflate(ncid, varid, 1, 1, 3), path, v.name + " deflate");
      put_attr(ncid, varid, {"_FillValue", v.type, {}, {v.fill}}, era, path);
      for (const Attr& a : v.attrs_before_packing) put_attr(ncid, varid, a, era, path);
      if (ev.packing.packed) {
        put_attr(ncid, varid, {"add_offset", NC_DOUBLE, {}, {ev.packing.offset}}, era, path);
        put_attr(ncid, varid, {"scale_factor", NC_DOUBLE, {}, {ev.packing.scale}}, era, path);
      }
      for (const Attr& a : v.attrs_after_packing) put_attr(ncid, varid, a, era, path);
    }
    for (const Attr& a : global_attrs) put_attr(ncid, NC_GLOBAL, a, era, path);
    check(nc_enddef(ncid), path, "enddef");
    check(nc_put_var_float(ncid, vlat, grid.lat.data()), path, "write lat");
    check(nc_put_var_float(ncid, vlon, grid.lon.data()), path, "write lon");
    const size_t start = 0, count = time.values.size();
    if (time.coding.type == NC_INT) {
      std::vector<int> t;
      for (double v : time.values) t.push_back(static_cast<int>(v));
      check(nc_put_vara_int(ncid, vtime, &start, &count, t.data()), path, "write time");
    } else {
      check(nc_put_vara_double(ncid, vtime, &start, &count, time.values.data()), path,
            "write time");
    }
  } catch (...) {
    nc_close(ncid);
    throw;
  }
  check(nc_close(ncid), path, "close");
}

// Closes an HDF5 handle on scope exit.
struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

// steps > 0: the time dimension is UNLIMITED and holds `steps` steps.
void write_chunks(const std::string& path, const SynthGrid& grid, size_t steps,
                  const std::vector<EncodedVar>& vars) {
  H5Handle file{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
  if (file.id < 0) throw Error("synth: " + path + ": HDF5 cannot reopen the file to write chunks");
  for (const EncodedVar& ev : vars) {
    H5Handle dset{H5Dopen2(file.id, ev.spec->name.c_str(), H5P_DEFAULT), H5Dclose};
    if (dset.id < 0) throw Error("synth: " + path + ": HDF5 cannot open " + ev.spec->name);
    // Along an UNLIMITED time the datasets start empty: grow them to the steps.
    const hsize_t extent[3] = {steps, grid.nlat, grid.nlon};
    if (steps > 0 && H5Dset_extent(dset.id, extent) < 0)
      throw Error("synth: " + path + ": HDF5 cannot extend " + ev.spec->name);
    for (size_t k = 0; k < ev.chunks.size(); ++k) {
      const hsize_t offset[3] = {ev.offsets[k][0], ev.offsets[k][1], ev.offsets[k][2]};
      if (H5Dwrite_chunk(dset.id, H5P_DEFAULT, 0, offset, ev.chunks[k].size(),
                         ev.chunks[k].data()) < 0)
        throw Error("synth: " + path + ": HDF5 cannot write a chunk of " + ev.spec->name);
    }
  }
  if (H5Fclose(file.id) < 0) throw Error("synth: " + path + ": HDF5 close failed");
  file.id = -1;
}

}  // namespace

void write_day_file(const std::string& path, const SynthGrid& grid, const FileTime& time,
                    const Era& era, const std::vector<Attr>& global_attrs,
                    const std::vector<EncodedVar>& vars) {
  define_and_write_metadata(path, grid, time, era, global_attrs, vars);
  write_chunks(path, grid, time.unlimited ? time.values.size() : 0, vars);
}

}  // namespace pixeldrill::synth

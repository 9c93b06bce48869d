#include "formats/netcdf/nc_file.h"

#include <hdf5.h>

#include <utility>

#include "core/error.h"
#include "formats/netcdf/library_lock.h"

namespace pixeldrill::formats::netcdf {

NcFile NcFile::open(const std::string& path) {
  const auto lock = library_lock();
  // HDF5 prints its error stack from every thread but the one netCDF-C
  // silenced at start-up; the errors reach the caller as statuses anyway.
  thread_local const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  (void)silenced;
  int ncid = -1;
  const int status = nc_open(path.c_str(), NC_NOWRITE, &ncid);
  if (status != NC_NOERR) {
    throw Error(path + ": cannot open as NetCDF: " + nc_strerror(status));
  }
  return NcFile(ncid, path);
}

NcFile::~NcFile() {
  if (ncid_ < 0) return;
  const auto lock = library_lock();
  nc_close(ncid_);
}

NcFile::NcFile(NcFile&& other) noexcept
    : ncid_(std::exchange(other.ncid_, -1)), path_(std::move(other.path_)) {}

NcFile& NcFile::operator=(NcFile&& other) noexcept {
  const auto lock = library_lock();
  if (this != &other) {
    if (ncid_ >= 0) nc_close(ncid_);
    ncid_ = std::exchange(other.ncid_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void NcFile::check(int status, const std::string& what) const {
  if (status != NC_NOERR) throw Error(path_ + ": " + what + ": " + nc_strerror(status));
}

std::vector<std::string> NcFile::variable_names() const {
  const auto lock = library_lock();
  int n = 0;
  check(nc_inq_nvars(ncid_, &n), "cannot list variables");
  std::vector<std::string> names;
  for (int v = 0; v < n; ++v) names.push_back(variable_name(v));
  return names;
}

std::optional<int> NcFile::variable_id(const std::string& name) const {
  const auto lock = library_lock();
  int varid = -1;
  if (nc_inq_varid(ncid_, name.c_str(), &varid) != NC_NOERR) return std::nullopt;
  return varid;
}

std::string NcFile::variable_name(int varid) const {
  const auto lock = library_lock();
  char name[NC_MAX_NAME + 1] = {};
  check(nc_inq_varname(ncid_, varid, name), "cannot read a variable name");
  return name;
}

std::vector<Dimension> NcFile::variable_dimensions(int varid) const {
  const auto lock = library_lock();
  int ndims = 0;
  check(nc_inq_varndims(ncid_, varid, &ndims), "variable " + variable_name(varid));
  std::vector<int> dimids(static_cast<size_t>(ndims));
  if (ndims > 0) check(nc_inq_vardimid(ncid_, varid, dimids.data()), "variable dimensions");
  int nunlim = 0;
  check(nc_inq_unlimdims(ncid_, &nunlim, nullptr), "unlimited dimensions");
  std::vector<int> unlim(static_cast<size_t>(nunlim));
  if (nunlim > 0) check(nc_inq_unlimdims(ncid_, &nunlim, unlim.data()), "unlimited dimensions");
  std::vector<Dimension> dims;
  for (int d : dimids) {
    char name[NC_MAX_NAME + 1] = {};
    size_t len = 0;
    check(nc_inq_dim(ncid_, d, name, &len), "dimension");
    bool is_unlimited = false;
    for (int u : unlim) is_unlimited = is_unlimited || u == d;
    dims.push_back({name, len, is_unlimited});
  }
  return dims;
}

nc_type NcFile::variable_type(int varid) const {
  const auto lock = library_lock();
  nc_type type = NC_NAT;
  check(nc_inq_vartype(ncid_, varid, &type), "variable " + variable_name(varid));
  return type;
}

std::vector<size_t> NcFile::chunking(int varid) const {
  const auto lock = library_lock();
  int ndims = 0;
  check(nc_inq_varndims(ncid_, varid, &ndims), "variable " + variable_name(varid));
  std::vector<size_t> sizes(static_cast<size_t>(ndims));
  int storage = NC_CONTIGUOUS;
  const int status = nc_inq_var_chunking(ncid_, varid, &storage, sizes.data());
  if (status != NC_NOERR || storage != NC_CHUNKED) return {};
  return sizes;
}

std::optional<std::string> NcFile::text_attribute(int varid, const std::string& name) const {
  const auto lock = library_lock();
  nc_type type = NC_NAT;
  size_t len = 0;
  if (nc_inq_att(ncid_, varid, name.c_str(), &type, &len) != NC_NOERR) return std::nullopt;
  if (type == NC_CHAR) {
    std::string value(len, '\0');
    if (len > 0) check(nc_get_att_text(ncid_, varid, name.c_str(), value.data()), name);
    while (!value.empty() && value.back() == '\0') value.pop_back();
    return value;
  }
  if (type == NC_STRING && len >= 1) {
    std::vector<char*> values(len, nullptr);
    check(nc_get_att_string(ncid_, varid, name.c_str(), values.data()), name);
    std::string value = values[0] ? values[0] : "";
    nc_free_string(len, values.data());
    return value;
  }
  return std::nullopt;
}

std::optional<double> NcFile::number_attribute(int varid, const std::string& name) const {
  const auto lock = library_lock();
  nc_type type = NC_NAT;
  size_t len = 0;
  if (nc_inq_att(ncid_, varid, name.c_str(), &type, &len) != NC_NOERR) return std::nullopt;
  if (len == 0 || type == NC_CHAR || type == NC_STRING) return std::nullopt;
  std::vector<double> values(len);
  check(nc_get_att_double(ncid_, varid, name.c_str(), values.data()),
        variable_name(varid) + ":" + name);
  return values[0];
}

std::vector<double> NcFile::read_all(int varid) const {
  const auto lock = library_lock();
  size_t total = 1;
  for (const auto& d : variable_dimensions(varid)) total *= d.length;
  std::vector<double> out(total);
  if (total > 0) {
    check(nc_get_var_double(ncid_, varid, out.data()), "cannot read " + variable_name(varid));
  }
  return out;
}

void NcFile::read(int varid, const std::vector<size_t>& start, const std::vector<size_t>& count,
                  double* out) const {
  const auto lock = library_lock();
  const int status = nc_get_vara_double(ncid_, varid, start.data(), count.data(), out);
  // NC_ERANGE: a stored number does not fit a double; impossible for the
  // numeric types, so treat it like any other read failure.
  check(status, "cannot read " + variable_name(varid));
}

void NcFile::set_chunk_cache(int varid, size_t bytes) const {
  const auto lock = library_lock();
  // Fails harmlessly on classic files, which have no chunks.
  nc_set_var_chunk_cache(ncid_, varid, bytes, 1009, 0.75f);
}

}  // namespace pixeldrill::formats::netcdf

namespace pixeldrill::formats::netcdf {

nlohmann::json NcFile::attributes(int varid) const {
  const auto lock = library_lock();
  nlohmann::json out = nlohmann::json::object();
  int natts = 0;
  check(nc_inq_varnatts(ncid_, varid, &natts), "cannot count attributes");
  for (int a = 0; a < natts; ++a) {
    char name[NC_MAX_NAME + 1] = {};
    check(nc_inq_attname(ncid_, varid, a, name), "cannot read an attribute name");
    nc_type type = NC_NAT;
    size_t len = 0;
    check(nc_inq_att(ncid_, varid, name, &type, &len), std::string("attribute ") + name);
    if (type == NC_CHAR || type == NC_STRING) {
      out[name] = text_attribute(varid, name).value_or("");
      continue;
    }
    std::vector<double> values(len);
    if (len > 0) {
      check(nc_get_att_double(ncid_, varid, name, values.data()), std::string("attribute ") + name);
    }
    nlohmann::json v;
    const bool integer = type != NC_FLOAT && type != NC_DOUBLE;
    auto as_json = [integer](double x) {
      return integer ? nlohmann::json(static_cast<int64_t>(x)) : nlohmann::json(x);
    };
    if (len == 1) {
      v = as_json(values[0]);
    } else {
      v = nlohmann::json::array();
      for (double x : values) v.push_back(as_json(x));
    }
    out[name] = std::move(v);
  }
  return out;
}

}  // namespace pixeldrill::formats::netcdf

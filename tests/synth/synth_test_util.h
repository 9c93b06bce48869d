#pragma once
// Helpers for the synth tests: a temporary folder, running the pixeldrill
// binary, and small netCDF-C readers (an independent path from the writer's
// HDF5 chunk writes).
#include <netcdf.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "../support/test_paths.h"

namespace pixeldrill::synth::testing {

using pixeldrill::testing::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string synth_cmd(const std::string& outdir, const std::string& args) {
  return std::string(PIXELDRILL_BIN) + " synth '" + outdir + "' " + args;
}

inline std::string day_file(const std::string& root, const std::string& ymd) {
  return root + "/" + ymd.substr(0, 4) + "/" + ymd +
         "152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
}

// An open netCDF file, closed on scope exit; throws on any error.
class NcFile {
 public:
  explicit NcFile(const std::string& path) : path_(path) {
    check(nc_open(path.c_str(), NC_NOWRITE, &id_), "open");
  }
  ~NcFile() { nc_close(id_); }
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  int id() const { return id_; }
  void check(int status, const std::string& what) const {
    if (status != NC_NOERR)
      throw std::runtime_error(path_ + ": " + what + ": " + nc_strerror(status));
  }
  bool has_var(const std::string& name) const {
    int v;
    return nc_inq_varid(id_, name.c_str(), &v) == NC_NOERR;
  }
  int var(const std::string& name) const {
    int v = 0;
    check(nc_inq_varid(id_, name.c_str(), &v), "variable " + name);
    return v;
  }
  std::vector<std::string> data_vars() const {
    int n = 0;
    check(nc_inq_nvars(id_, &n), "nvars");
    std::vector<std::string> out;
    for (int v = 0; v < n; ++v) {
      char name[NC_MAX_NAME + 1];
      int ndims = 0;
      check(nc_inq_varname(id_, v, name), "varname");
      check(nc_inq_varndims(id_, v, &ndims), "ndims");
      if (ndims == 3) out.push_back(name);
    }
    return out;
  }
  nc_type type(const std::string& name) const {
    nc_type t;
    check(nc_inq_vartype(id_, var(name), &t), "type");
    return t;
  }
  std::string text_att(const std::string& var_name, const std::string& att) const {
    const int v = var_name.empty() ? NC_GLOBAL : var(var_name);
    size_t len = 0;
    check(nc_inq_attlen(id_, v, att.c_str(), &len), "attribute " + att);
    std::string s(len, '\0');
    check(nc_get_att_text(id_, v, att.c_str(), s.data()), "attribute " + att);
    return s;
  }
  std::vector<double> num_att(const std::string& var_name, const std::string& att,
                              nc_type* type_out = nullptr) const {
    const int v = var_name.empty() ? NC_GLOBAL : var(var_name);
    size_t len = 0;
    check(nc_inq_attlen(id_, v, att.c_str(), &len), var_name + ":" + att);
    if (type_out) check(nc_inq_atttype(id_, v, att.c_str(), type_out), "atttype");
    std::vector<double> out(len);
    check(nc_get_att_double(id_, v, att.c_str(), out.data()), var_name + ":" + att);
    return out;
  }
  std::vector<size_t> chunks(const std::string& name) const {
    int storage = 0;
    std::vector<size_t> c(3);
    check(nc_inq_var_chunking(id_, var(name), &storage, c.data()), "chunking");
    return c;
  }
  // Raw stored values of a (1, lat, lon) variable as doubles.
  std::vector<double> raw(const std::string& name) const {
    size_t nlat = 0, nlon = 0;
    int dim;
    check(nc_inq_dimid(id_, "lat", &dim), "lat");
    check(nc_inq_dimlen(id_, dim, &nlat), "lat");
    check(nc_inq_dimid(id_, "lon", &dim), "lon");
    check(nc_inq_dimlen(id_, dim, &nlon), "lon");
    std::vector<double> out(nlat * nlon);
    check(nc_get_var_double(id_, var(name), out.data()), "read " + name);
    return out;
  }

 private:
  std::string path_;
  int id_ = -1;
};

}  // namespace pixeldrill::synth::testing

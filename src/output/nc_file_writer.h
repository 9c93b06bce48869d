#pragma once
// A NetCDF-4 file being written under a temporary name: every netCDF-C
// status is checked and turned into an Error naming the final path (with
// errno's reason on a full disk). Shared by the table and cube writers.
#include <netcdf.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace pixeldrill::output {

// A failed close on a full disk leaves HDF5 holding the file; HDF5's at-exit
// cleanup is turned off where it is loaded so that this cannot crash at exit.
class NcFileWriter {
 public:
  NcFileWriter(const std::string& temp, const std::string& path) : path_(path) {
    check(nc_create(temp.c_str(), NC_NETCDF4 | NC_CLOBBER, &ncid_));
  }
  ~NcFileWriter() {
    if (ncid_ >= 0) nc_close(ncid_);
  }
  NcFileWriter(const NcFileWriter&) = delete;
  NcFileWriter& operator=(const NcFileWriter&) = delete;

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

}  // namespace pixeldrill::output

#pragma once
// Which files make up a collection SOURCE: a folder (searched recursively), a
// glob, or a single file. Candidates are NetCDF by name (*.nc, *.nc4) or by
// magic bytes; the list is sorted so every run sees the same order.
#include <string>
#include <vector>

namespace pixeldrill::catalog {

// True when `path` starts with the NetCDF classic ("CDF\x01|\x02|\x05") or
// HDF5 ("\x89HDF\r\n\x1a\n") signature.
bool has_netcdf_magic(const std::string& path);

// True when `spec` contains glob characters (* ? [).
bool is_glob(const std::string& spec);

// The files of a SOURCE, sorted. Throws Error naming `spec` when the folder
// does not exist or nothing matches. A folder yields its *.nc / *.nc4 files;
// a glob yields every regular file it matches (so a non-NetCDF file matched
// by a glob is reported later as unreadable, not silently dropped).
// A folder is walked once: a folder link seen before (a loop), a dangling
// link, a *.nc that is a FIFO/socket/device and a folder named *.nc are each
// named in `skipped` ("PATH: why"); files are never listed twice.
std::vector<std::string> discover_files(const std::string& spec,
                                        std::vector<std::string>* skipped = nullptr);

}  // namespace pixeldrill::catalog

#pragma once
// A Series as a CF-1.8 discrete-sampling NetCDF-4 file, featureType
// timeSeries in the orthogonal multidimensional layout: dimensions
// station x time, variables time(time), station_id/lat/lon(station) and one
// variable per column (int with the netCDF default fill for integer columns,
// double with _FillValue NaN otherwise). The source's global attributes that
// still hold (title, license, acknowledgment, ...) are kept, the ones that
// describe the source file's own extent or making are recomputed. Readable by
// ncdump and xarray. Written to a temporary name and renamed into place.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "drill/series.h"

namespace pixeldrill::output {

struct NetcdfOptions {
  std::string history;  // what made the file, e.g. the command line; "history" attribute
};

void write_netcdf(const drill::Series& series, const std::string& path,
                  const NetcdfOptions& options = {});

class NcFileWriter;

// The same file written a block of rows at a time (drill/block_drill.h): the
// time axis is sized from the start, each block's rows go in as a hyperslab
// of (every station, the block's times), and the problems and notes, known
// only at the end, are the last global attributes as in write_netcdf. The
// temporary file is removed unless end() renamed it into place.
class NetcdfStream {
 public:
  NetcdfStream(std::string path, NetcdfOptions options);
  ~NetcdfStream();
  NetcdfStream(const NetcdfStream&) = delete;
  NetcdfStream& operator=(const NetcdfStream&) = delete;
  // `times`: every row time the drill will give (head.periods: their
  // periods, for aggregates). `is_int`: per column, stored as int; empty:
  // the columns whose digits are integers (a value that is not then fails).
  void begin(const drill::Series& head, std::vector<int64_t> times, std::vector<bool> is_int = {});
  // Every block holds every station (the first block fixes their order).
  void rows(const drill::Series& block);
  void end(const drill::Series& summary);

 private:
  void define();
  using Key = std::tuple<std::string, double, double>;
  std::string path_, temp_;
  NetcdfOptions options_;
  drill::Series head_;
  std::vector<int64_t> times_;
  std::vector<bool> is_int_;
  std::vector<Key> stations_;
  std::map<Key, size_t> station_index_;
  std::unique_ptr<NcFileWriter> file_;
  std::vector<int> var_ids_;
  bool committed_ = false;
};

// Source global attributes a derived file can keep unchanged.
bool global_attribute_still_holds(const std::string& name);

}  // namespace pixeldrill::output

#pragma once
// What the real IMOS GHRSST L3S-1d night product looks like: its variables
// (types, fill values, attributes, packing style), its eras (variable set,
// chunk layout, time units and sources change over the years), file names and
// the deterministic missing days of the synthetic collection.
#include <netcdf.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pixeldrill::synth {

struct Attr {
  std::string name;
  nc_type type = NC_CHAR;       // NC_CHAR for text
  std::string text;             // when type == NC_CHAR
  std::vector<double> numbers;  // otherwise, converted to `type`
};

enum class Packing {
  kNone,        // stored as is (l2p_flags, quality_level)
  kFixedScale,  // scale 0.01 (as float), add_offset = mid-range of the day (SST)
  kRange,       // scale/offset spread the day's min..max over the type's valid range
};

struct VarSpec {
  std::string name;
  nc_type type = NC_BYTE;  // NC_BYTE, NC_SHORT or NC_INT
  double fill = 0;
  Packing packing = Packing::kNone;
  std::vector<Attr> attrs_before_packing;  // after _FillValue, before add_offset/scale_factor
  std::vector<Attr> attrs_after_packing;   // valid_min/valid_max
  bool sea_ice = false;                    // present only in eras with sea ice
};

// The 13 data variables in the order the real files store them.
const std::vector<VarSpec>& product_variables();
const VarSpec* find_variable(const std::string& name);

struct Era {
  std::string name;
  bool sea_ice = true;      // sea_ice_fraction(_dtime_from_sst) present
  bool alt_chunks = false;  // the 2016 chunk layout
  std::string time_units;
  std::string wind_source;
  std::string analysis_source;
  std::string ice_source;
  std::string platform;
  std::string sensor;
};
Era era_for_year(int year);

// (time, lat, lon) chunk shape of a data variable on an nlat x nlon grid.
std::array<size_t, 3> chunk_shape(const VarSpec& var, const Era& era, size_t nlat, size_t nlon);

// Days since 1970-01-01 <-> file layout.
std::string relative_path(int64_t day);           // "YYYY/YYYYMMDD152000-ABOM-...-1d_night.nc"
int32_t time_value(int64_t day);                  // seconds since 1981-01-01 at 15:20:00 UTC
bool is_missing_day(uint64_t seed, int64_t day);  // ~2.5% of days, fixed per seed

std::vector<Attr> global_attributes(int64_t day, const Era& era, uint64_t seed, int decimate);

}  // namespace pixeldrill::synth

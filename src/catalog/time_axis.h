#pragma once
// CF time coordinates: "<unit> since <reference>" with the standard /
// gregorian / proleptic_gregorian calendar, decoded to Unix seconds (UTC).
#include <cstdint>
#include <string>

namespace pixeldrill::catalog {

struct TimeUnits {
  int64_t seconds_per_unit = 1;  // 1, 60, 3600, 86400
  int64_t reference = 0;         // Unix seconds of the reference instant

  // Throws Error naming `where` (file and variable) for units or calendars
  // pixeldrill cannot decode.
  static TimeUnits parse(const std::string& units, const std::string& calendar,
                         const std::string& where);
  // Rounded to the nearest second, as xarray's datetime64[ns] would print it.
  int64_t to_unix(double value) const;
};

}  // namespace pixeldrill::catalog

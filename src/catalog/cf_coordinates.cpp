#include "catalog/cf_coordinates.h"

#include "core/error.h"

namespace pixeldrill::catalog {

CoordinateRole coordinate_role(std::string_view name, std::string_view standard,
                               std::string_view units, std::string_view axis) {
  if (standard == "latitude" || units == "degrees_north" || units == "degree_north" ||
      units == "degree_N" || units == "degrees_N" || units == "degreeN" || units == "degreesN" ||
      axis == "Y" || name == "lat" || name == "latitude")
    return CoordinateRole::kLat;
  if (standard == "longitude" || units == "degrees_east" || units == "degree_east" ||
      units == "degree_E" || units == "degrees_E" || units == "degreeE" || units == "degreesE" ||
      axis == "X" || name == "lon" || name == "longitude")
    return CoordinateRole::kLon;
  if (standard == "time" || axis == "T" || units.find(" since ") != std::string_view::npos)
    return CoordinateRole::kTime;
  return CoordinateRole::kNone;
}

void require_monotonic(const Axis& a, const std::string& path) {
  const bool inc = a.ascending();
  for (size_t i = 1; i < a.values.size(); ++i) {
    if (inc ? !(a.values[i] > a.values[i - 1]) : !(a.values[i] < a.values[i - 1])) {
      throw Error(path + ": coordinate '" + a.name + "' is not strictly monotonic");
    }
  }
}

}  // namespace pixeldrill::catalog

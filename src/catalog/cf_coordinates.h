#pragma once
// CF rules for recognising coordinate variables, shared by every reader
// (netCDF-C metadata, the HDF5 chunk indexer) so that all drill paths agree
// on which variable is latitude, longitude and time.
#include <string>
#include <string_view>

#include "catalog/grid.h"

namespace pixeldrill::catalog {

enum class CoordinateRole { kNone, kLat, kLon, kTime };

// From the variable's name and its standard_name, units and axis attributes
// (empty when absent).
CoordinateRole coordinate_role(std::string_view name, std::string_view standard_name,
                               std::string_view units, std::string_view axis);

// Throws Error naming `path` and the axis when its values are not strictly
// monotonic: nearest-pixel lookup relies on sorted coordinates.
void require_monotonic(const Axis& axis, const std::string& path);

}  // namespace pixeldrill::catalog

// libFuzzer target: the text a user types or uploads -- the stations CSV,
// --point, --box, --from/--to and --reduce -- is accepted with finite
// coordinates in range, or rejected with pixeldrill::Error.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/query.h"
#include "drill/stations.h"

namespace {
void check_site(const pixeldrill::drill::Site& s) {
  if (!std::isfinite(s.lat) || !std::isfinite(s.lon) || s.lat < -90 || s.lat > 90) {
    __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pixeldrill;
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    // In memory (the file reader streams into this): no file per run.
    std::istringstream in(text);
    try {
      for (const auto& s : drill::read_station_table(in, "fuzz.csv").sites) check_site(s);
    } catch (const Error&) {
    }
  }
  try {
    check_site(drill::parse_point(text));
  } catch (const Error&) {
  }
  try {
    const auto b = drill::parse_box(text);
    // West may be east of east (a box across the antimeridian), south may not.
    if (!(b.south <= b.north)) __builtin_trap();
  } catch (const Error&) {
  }
  try {
    parse_iso8601(text, "--from");
  } catch (const Error&) {
  }
  try {
    drill::parse_reduce(text);
  } catch (const Error&) {
  }
  return 0;
}

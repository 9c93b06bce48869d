#include "core/clock.h"

#include <chrono>
#include <cstdlib>
#include <string>

namespace pixeldrill {

int64_t creation_time() {
  if (const char* fixed = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    const long long t = std::strtoll(fixed, &end, 10);
    if (end != fixed && *end == '\0' && t >= 0) return t;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pixeldrill

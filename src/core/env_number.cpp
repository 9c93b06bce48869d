#include "core/env_number.h"

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace pixeldrill {

uint64_t env_whole_number(const char* name, uint64_t fallback, uint64_t minimum,
                          const char* meaning) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  if (*end != '\0' || n < minimum || text[0] == '-') {
    throw BadRequest(std::string(name) + "=" + text + ": give " + meaning + ", a whole number" +
                     (minimum > 0 ? " >= " + std::to_string(minimum) : std::string()));
  }
  return n;
}

}  // namespace pixeldrill

#pragma once
// Whole numbers from environment variables (tuning knobs for benchmarks and
// tests): unset or empty gives the default; anything but digits is refused.
#include <cstdint>

namespace pixeldrill {

// The value of `name` (>= `minimum`), or `fallback` when unset or empty.
// Throws BadRequest "NAME=TEXT: give <meaning>, a whole number[ >= minimum]".
uint64_t env_whole_number(const char* name, uint64_t fallback, uint64_t minimum,
                          const char* meaning);

}  // namespace pixeldrill

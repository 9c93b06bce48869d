#pragma once
// The store's time chunk length given as a duration ("1y", "30d", "1m",
// "12h") or as a step count ("365"). A duration becomes steps through the
// collection's cadence, so a year is a year of steps whether the product is
// daily, 4-hourly or monthly.
#include <cstdint>
#include <string>
#include <vector>

namespace pixeldrill::store {

inline constexpr const char* kDefaultTimeChunk = "1y";

struct TimeChunk {
  uint64_t steps = 0;  // a plain count, or 0 when given as a duration
  double seconds = 0;  // the duration
  std::string text;    // as given, for messages
};

// Throws BadRequest naming --chunks for anything else.
TimeChunk parse_time_chunk(const std::string& text);

// Median spacing of the sorted distinct times (Unix seconds); 86400 when
// there are fewer than two.
double typical_step_seconds(const std::vector<int64_t>& times);

// Steps per time chunk: the count, or the duration over the cadence rounded
// to the nearest step (at least 1).
uint64_t resolve_time_chunk(const TimeChunk& chunk, const std::vector<int64_t>& times);

}  // namespace pixeldrill::store

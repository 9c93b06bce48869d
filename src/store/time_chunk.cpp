#include "store/time_chunk.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace pixeldrill::store {

TimeChunk parse_time_chunk(const std::string& text) {
  TimeChunk c;
  c.text = text;
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  const bool digits_only =
      used == text.size() && text.find_first_not_of("0123456789") == std::string::npos;
  if (used == 0 || !(value > 0) || (unit.empty() && !digits_only))
    throw BadRequest("--chunks: time length '" + text +
                     "' is not a positive step count or a duration such as 1y, 30d, 1m, 12h");
  if (unit.empty()) {
    c.steps = static_cast<uint64_t>(value);
    return c;
  }
  double unit_seconds = 0;
  if (unit == "h") unit_seconds = 3600;
  if (unit == "d") unit_seconds = 86400;
  if (unit == "w") unit_seconds = 7 * 86400;
  if (unit == "m") unit_seconds = 365.2425 / 12 * 86400;  // a mean Gregorian month
  if (unit == "y") unit_seconds = 365.2425 * 86400;
  if (unit_seconds == 0)
    throw BadRequest("--chunks: unknown time unit '" + unit + "' in '" + text +
                     "' (h, d, w, m = month, y)");
  c.seconds = value * unit_seconds;
  return c;
}

double typical_step_seconds(const std::vector<int64_t>& times) {
  std::vector<int64_t> t = times;
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  if (t.size() < 2) return 86400;
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < t.size(); ++i) gaps.push_back(t[i] - t[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  return static_cast<double>(gaps[gaps.size() / 2]);
}

uint64_t resolve_time_chunk(const TimeChunk& chunk, const std::vector<int64_t>& times) {
  if (chunk.steps > 0) return chunk.steps;
  const double steps = std::round(chunk.seconds / typical_step_seconds(times));
  return steps < 1 ? 1 : static_cast<uint64_t>(steps);
}

}  // namespace pixeldrill::store

#include "catalog/file_name_time.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/civil_time.h"

namespace pixeldrill::catalog {

std::optional<int64_t> time_from_file_name(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  for (size_t i = 0; i < name.size();) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    const std::string run = name.substr(i, j - i);
    i = j;
    if (run.size() != 8 && run.size() != 12 && run.size() != 14) continue;
    const int y = std::stoi(run.substr(0, 4)), m = std::stoi(run.substr(4, 2)),
              d = std::stoi(run.substr(6, 2));
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31) continue;
    const int64_t days = days_from_civil({y, m, d});
    const CivilDate back = civil_from_days(days);
    if (back.month != m || back.day != d) continue;  // 20210231 is no date
    int64_t t = days * 86400;
    if (run.size() >= 12) {
      const int hh = std::stoi(run.substr(8, 2)), mm = std::stoi(run.substr(10, 2));
      const int ss = run.size() == 14 ? std::stoi(run.substr(12, 2)) : 0;
      if (hh > 23 || mm > 59 || ss > 60) continue;
      t += hh * 3600 + mm * 60 + ss;
    }
    return t;
  }
  return std::nullopt;
}

int64_t file_name_margin(const std::vector<int64_t>& sorted_name_times) {
  constexpr int64_t kTwoDays = 2 * 86400;
  if (sorted_name_times.size() < 2) return kTwoDays;
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < sorted_name_times.size(); ++i) {
    gaps.push_back(sorted_name_times[i] - sorted_name_times[i - 1]);
  }
  std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
  return std::max(kTwoDays, 2 * gaps[gaps.size() / 2]);
}

}  // namespace pixeldrill::catalog

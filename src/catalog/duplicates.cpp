#include "catalog/duplicates.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::catalog {

DuplicatePolicy parse_duplicate_policy(const std::string& text) {
  if (text == "refuse") return DuplicatePolicy::kRefuse;
  if (text == "first") return DuplicatePolicy::kFirst;
  if (text == "newest") return DuplicatePolicy::kNewest;
  throw BadRequest("--duplicates: '" + text + "' is not one of refuse, first, newest");
}

const char* duplicate_policy_name(DuplicatePolicy policy) {
  switch (policy) {
    case DuplicatePolicy::kRefuse:
      return "refuse";
    case DuplicatePolicy::kFirst:
      return "first";
    case DuplicatePolicy::kNewest:
      return "newest";
  }
  return "refuse";
}

std::vector<bool> resolve_duplicates(const std::vector<TimedFile>& files, DuplicatePolicy policy) {
  std::vector<bool> keep(files.size(), true);
  // Files in the order they win: sorted path order, or newest first.
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (policy == DuplicatePolicy::kNewest && files[a].mtime_ns != files[b].mtime_ns) {
      return files[a].mtime_ns > files[b].mtime_ns;
    }
    return files[a].path < files[b].path;
  });
  std::map<int64_t, size_t> owner;  // time step -> file that provides it
  for (const size_t i : order) {
    for (const int64_t t : files[i].times) {
      const auto [it, fresh] = owner.emplace(t, i);
      if (fresh || it->second == i) continue;
      if (policy == DuplicatePolicy::kRefuse) {
        const auto& [a, b] = std::minmax(files[it->second].path, files[i].path);
        throw BadRequest("time " + format_iso8601(t) + " is in two files: " + a + " and " + b +
                         "; remove one, or choose with --duplicates first|newest");
      }
      keep[i] = false;
      break;
    }
    if (!keep[i]) {
      // The loser's other steps must not stay claimed by it.
      for (auto it = owner.begin(); it != owner.end();) {
        it = it->second == i ? owner.erase(it) : std::next(it);
      }
    }
  }
  return keep;
}

int64_t file_mtime_ns(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace pixeldrill::catalog

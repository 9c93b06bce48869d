#pragma once
// Two files holding the same time step (a re-processed day dropped into
// another folder) would give two rows for one time, or a store that depends
// on listing order. Every path -- folder, index, store conversion -- applies
// this one rule: refuse by default, naming both files, or keep the first
// (in sorted path order) or the newest (by modification time) on request.
#include <cstdint>
#include <string>
#include <vector>

namespace pixeldrill::catalog {

enum class DuplicatePolicy { kRefuse, kFirst, kNewest };

// "refuse", "first" or "newest"; BadRequest naming --duplicates otherwise.
DuplicatePolicy parse_duplicate_policy(const std::string& text);
const char* duplicate_policy_name(DuplicatePolicy policy);

struct TimedFile {
  std::string path;
  std::vector<int64_t> times;  // Unix seconds; only the steps the caller will use
  int64_t mtime_ns = 0;
};

// Which files to use (true) so that no time step comes from two files; the
// losing file of a pair is left out whole. kRefuse throws BadRequest naming
// both files, the time and the --duplicates choices.
std::vector<bool> resolve_duplicates(const std::vector<TimedFile>& files, DuplicatePolicy policy);

// The modification time of `path` in nanoseconds (0 when it cannot be read).
int64_t file_mtime_ns(const std::string& path);

}  // namespace pixeldrill::catalog

#pragma once
// The date (and time of day) that archive file names carry, e.g.
// 20210101152000-ABOM-L3S_GHRSST-...nc -> 2021-01-01T15:20:00Z. Used only to
// skip files far outside a query's time range without opening them; the
// time read from the files that are opened stays the truth.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pixeldrill::catalog {

// The first YYYYMMDD[HHMM[SS]] run of digits in the file's base name that is a
// valid date between 1900 and 2199, as Unix seconds UTC; nullopt otherwise.
std::optional<int64_t> time_from_file_name(const std::string& path);

// How far a file's stored times may lie from its name time and still be
// found by name: twice the median spacing of the name times, at least two
// days (a monthly file named for the 1st holds mid-month).
int64_t file_name_margin(const std::vector<int64_t>& sorted_name_times);

}  // namespace pixeldrill::catalog

#pragma once
// What a user asks of a collection: where (points, stations or a box), when
// (a time range), what (variables) and how (QC mask, units, box reduction).
// Every drill path (netCDF-C reference, chunk index, Zarr store) answers the
// same Query with the same Series.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/duplicates.h"

namespace pixeldrill::drill {

struct Site {
  std::string id;  // empty for a single --point
  double lat = 0;
  double lon = 0;
};

// West may be east of east: the box then crosses the antimeridian.
struct Box {
  double south = 0, north = 0, west = 0, east = 0;
};

enum class Reduce { kNone, kMean, kMin, kMax, kCount };

struct TimeRange {
  std::optional<int64_t> from;  // Unix seconds, inclusive
  std::optional<int64_t> to;    // Unix seconds, inclusive
  bool contains(int64_t t) const { return (!from || t >= *from) && (!to || t <= *to); }
  // For messages: "in A..B", "from A on", "up to B" or "in the whole collection".
  std::string text() const;
};

struct Query {
  std::vector<Site> sites;  // --point (one site, empty id) or --stations
  std::optional<Box> box;   // --box, exclusive with sites
  Reduce reduce = Reduce::kNone;
  TimeRange time;
  std::vector<std::string> vars = {"sea_surface_temperature", "quality_level"};
  std::optional<int> min_quality;  // mask values whose quality_level < N
  bool celsius = false;            // kelvin variables converted to degrees Celsius
  std::string product;             // --product: only files whose product name contains it
  // --nearest-valid KM: per site, the nearest pixel within KM that has a
  // valid value in the time range (drill/nearest_valid.h).
  std::optional<double> nearest_valid_km;
  // --keep-columns: names of the stations file's other columns, kept in the
  // output, and their text per site (parallel to `sites`).
  std::vector<std::string> site_columns;
  std::vector<std::vector<std::string>> site_values;
  // Two files with the same time step: refused unless the caller chooses.
  catalog::DuplicatePolicy duplicates = catalog::DuplicatePolicy::kRefuse;
  // The server's per-request limit: backends stop between files and chunks
  // once it has passed (check_deadline), so a slow request ends on time.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Threads one query may use on local data (0: one per core). A server sets
  // 1: its concurrent requests already fill the cores, and threads per
  // request on top of them only add switching (64 connections: see docs/serve.md).
  unsigned threads = 0;
};

// True once the query's deadline (if any) has passed.
bool past_deadline(const Query& q);
// Throws Error(kIo, "Timeout: ...") once the query's deadline has passed.
void check_deadline(const Query& q);
// The same for a deadline held outside a query (the server's steps around a
// drill): one rule and one message for every place a request can time out.
void check_deadline(std::chrono::steady_clock::time_point deadline);

const char* reduce_name(Reduce r);
Reduce parse_reduce(const std::string& text);  // throws Error naming --reduce

}  // namespace pixeldrill::drill

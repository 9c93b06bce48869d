#include "drill/dataset_base.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

#include "core/civil_time.h"
#include "core/error.h"
#include "drill/nearest_valid.h"
#include "drill/resolve.h"

namespace pixeldrill::drill {
namespace {

std::string position(double lat, double lon) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7g,%.7g", lat, lon);
  return buf;
}

// Sites (or a box) that got no valid value are said, not left as rows of
// empty fields: the rule of SeriesBuilder::pixels_with_value().
void note_emptiness(const Query& query, const Plan& plan, const std::vector<bool>& valid,
                    std::vector<std::string>& notes) {
  const std::string when = " " + query.time.text();
  if (plan.box) {
    if (std::find(valid.begin(), valid.end(), true) != valid.end()) return;
    notes.push_back("no valid value in the box" + when + " (its " +
                    std::to_string(plan.pixels.size()) +
                    " pixels are land or were never observed then)");
    return;
  }
  // A few named, then a count: a query of thousands of pixels (the map
  // image, griddap) is not answered with thousands of notes.
  constexpr size_t kNamed = 10;
  const size_t empty = static_cast<size_t>(std::count(valid.begin(), valid.end(), false));
  size_t named = 0;
  for (size_t i = 0; i < plan.pixels.size() && named < kNamed; ++i) {
    if (valid[i]) continue;
    ++named;
    const PixelTarget& px = plan.pixels[i];
    const Site& site = query.sites[px.site];
    const std::string where =
        px.id.empty() ? position(site.lat, site.lon)
                      : "station '" + px.id + "' (" + position(site.lat, site.lon) + ")";
    notes.push_back(
        "no valid value at " + where + when + " (pixel " + position(px.lat, px.lon) +
        " is land or was never observed then)" +
        (query.nearest_valid_km ? "" : "; --nearest-valid KM takes the nearest pixel with data"));
  }
  if (empty > named) {
    notes.push_back("no valid value at " + std::to_string(empty - named) + " more of the " +
                    std::to_string(plan.pixels.size()) + " sites" + when);
  }
}

}  // namespace

std::vector<std::string> emptiness_notes(const Query& query, const catalog::Grid& grid,
                                         const std::vector<bool>& valid) {
  const Plan plan = make_plan(query, grid);
  if (valid.size() != plan.pixels.size()) {
    throw Error(ErrorKind::kInternal, "emptiness_notes: " + std::to_string(valid.size()) +
                                          " flags for " + std::to_string(plan.pixels.size()) +
                                          " pixels");
  }
  std::vector<std::string> notes;
  note_emptiness(query, plan, valid, notes);
  return notes;
}

DrillShare DatasetBase::drill_share(const Query& query) const {
  if (query.nearest_valid_km) {
    throw Error(ErrorKind::kInternal, "drill_share: --nearest-valid is answered whole");
  }
  DrillShare share;
  const auto reader = reader_for(query);
  share.series = run(query, *reader, &share);
  return share;
}

std::shared_ptr<const DatasetInfo> DatasetBase::info() const {
  std::lock_guard lock(info_mutex_);
  return info_;
}

void DatasetBase::set_info(std::shared_ptr<const DatasetInfo> info) const {
  std::lock_guard lock(info_mutex_);
  info_ = std::move(info);
}

Series DatasetBase::drill(const Query& query) const {
  const auto reader = reader_for(query);
  return run(query, *reader);
}

Series DatasetBase::run(const Query& query, QueryReader& reader, DrillShare* share) const {
  const DatasetInfo& info = reader.info();
  std::vector<Column> columns = resolve_columns(info, query);
  Plan plan = make_plan(query, info.grid);
  std::vector<std::string> notes;
  std::optional<NearestValidSearch> search;
  if (query.nearest_valid_km && !plan.box) {
    // Which candidate pixels hold data, read once by a reader of its own;
    // its problems come again (and are reported) in the read below.
    search.emplace(query, info.grid, plan);
    SeriesBuilder counter(query, search->search_plan(), columns);
    counter.count_only();
    std::vector<Problem> ignored;
    const auto search_reader = reader_for(query);
    search_reader->read({query, search->search_plan(), counter.read_variables()}, counter, ignored);
    plan = search->choose(counter.pixels_with_value(), notes);
  }
  SeriesBuilder builder(query, plan, std::move(columns));
  std::vector<Problem> problems;
  for (const auto& why : plan.outside) problems.push_back({"", "", why});
  reader.read({query, plan, builder.read_variables()}, builder, problems);
  // (Files that could not be read explain an empty answer themselves.)
  if (builder.steps_added() == 0 && problems.size() == plan.outside.size()) {
    // Nothing in the range: an error naming it and what the collection holds.
    const auto all = this->info();
    throw Error(ErrorKind::kNotFound, info.source + ": no time step " + query.time.text() +
                                          "; the collection holds " +
                                          describe_time_span(all->times));
  }
  if (share) {
    share->valid = builder.pixels_with_value();
    share->grid = info.grid;
  } else {
    note_emptiness(query, plan, builder.pixels_with_value(), notes);
  }
  Series series = builder.finish(std::move(problems), reader.describe());
  series.notes = std::move(reader.notes);
  series.notes.insert(series.notes.end(), notes.begin(), notes.end());
  if (search) add_distances(series, search->distances());
  describe_series(series, query, info);
  return series;
}

void DatasetBase::describe_series(Series& series, const Query& query, const DatasetInfo& info) {
  series.source_attributes = info.global_attributes;
  if (!query.site_columns.empty()) {
    series.site_columns = query.site_columns;
    for (size_t i = 0; i < query.sites.size() && i < query.site_values.size(); ++i) {
      series.site_values.emplace(query.sites[i].id, query.site_values[i]);
    }
  }
}

void DatasetBase::add_distances(Series& series, const std::vector<double>& km) {
  // The distance of each site's pixel, beside its values.
  if (series.columns.empty() || series.columns.back().name != "pixel_distance") {
    series.columns.push_back({"pixel_distance", "km",
                              "great-circle distance from the requested position to the centre "
                              "of the pixel used (--nearest-valid)",
                              ""});
  }
  for (size_t r = 0; r < series.rows.size(); ++r) {
    series.rows[r].values.push_back(km[r % km.size()]);
  }
}

size_t DatasetBase::steps_bound(const Query& query) const {
  const auto all = info();
  return static_cast<size_t>(std::count_if(all->times.begin(), all->times.end(),
                                           [&](int64_t t) { return query.time.contains(t); }));
}

void DatasetBase::read_into(const Query& query, const Plan& plan, const catalog::Grid& grid,
                            SeriesBuilder& builder, std::vector<Problem>& problems,
                            std::string& described) const {
  const auto reader = reader_for(query);
  if (!(reader->info().grid == grid)) {
    throw Error(ErrorKind::kBadRequest, reader->info().source + " is on " +
                                            reader->info().grid.describe() + ", not on " +
                                            grid.describe());
  }
  reader->read({query, plan, builder.read_variables()}, builder, problems);
  described = reader->describe();
}

}  // namespace pixeldrill::drill

namespace pixeldrill::drill {
namespace {

// Appends the items of `block` that no earlier block gave, in their order:
// a problem every block meets (a skipped folder entry, a station outside
// the grid) is said once, as one whole drill says it.
template <typename T>
void add_new(std::vector<T>& all, size_t before_block, std::vector<T> block) {
  for (auto& item : block) {
    const auto end = all.begin() + static_cast<ptrdiff_t>(before_block);
    if (std::find(all.begin(), end, item) == end) all.push_back(std::move(item));
  }
}

}  // namespace

Query BlockSchedule::block_query(const Query& query, const std::pair<size_t, size_t>& b) const {
  Query q = query;
  q.time.from = times[b.first];
  q.time.to = times[b.second - 1];
  return q;
}

void BlockTally::add(std::vector<Problem> found, std::vector<std::string> block_notes,
                     const std::vector<bool>& got) {
  add_new(problems, problems.size(), std::move(found));
  add_new(notes, notes.size(), std::move(block_notes));
  if (valid.size() < got.size()) valid.resize(got.size(), false);
  for (size_t p = 0; p < got.size(); ++p) valid[p] = valid[p] || got[p];
}

BlockSchedule DatasetBase::schedule_blocks(const Query& query, const BlockOptions& options) const {
  BlockSchedule s;
  const size_t budget = options.block_rows ? options.block_rows : default_block_rows();
  s.reader = reader_for(query);
  const DatasetInfo& info = s.reader->info();
  s.columns = resolve_columns(info, query);
  s.plan = make_plan(query, info.grid);
  s.grid = info.grid;
  const bool reduced = s.plan.box && query.reduce != Reduce::kNone;
  const size_t per_step = std::max<size_t>(s.plan.pixels.size(), 1);
  if (reduced || per_step * steps_bound(query) <= budget) {
    // One block: the drill as it always was.
    s.whole = true;
    return s;
  }
  // First pass, no pixel: which steps the query selects, how each column is
  // stored (its digits) and the source's description, from metadata only.
  Plan no_pixel = s.plan;
  no_pixel.pixels.clear();
  no_pixel.box = false;
  SeriesBuilder steps(query, no_pixel, s.columns);
  std::vector<Problem> ignored;
  s.reader->read({query, no_pixel, steps.read_variables()}, steps, ignored);
  if (steps.steps_added() == 0) {
    // Nothing in range (an error naming it), or only problems: said whole.
    s.whole = true;
    s.reader = reader_for(query);
    return s;
  }
  s.times = steps.times_after(INT64_MIN);
  s.head = steps.finish({}, s.reader->describe());
  describe_series(s.head, query, info);
  // Blocks of steps; a store's start where its time chunks do, so each chunk is read once.
  const size_t per_block = std::max<size_t>(budget / per_step, 1);
  std::function<size_t(size_t)> chunk;
  const size_t chunk_steps = time_chunk_steps();
  if (chunk_steps > 0 && per_block >= chunk_steps) {
    const auto all = this->info();
    chunk = [&, all, chunk_steps](size_t k) {
      const auto it = std::lower_bound(all->times.begin(), all->times.end(), s.times[k]);
      if (it == all->times.end() || *it != s.times[k]) return SIZE_MAX - k;  // newer than the store
      return static_cast<size_t>(it - all->times.begin()) / chunk_steps;
    };
  }
  s.blocks = plan_blocks(s.times, per_block, options.group, chunk);
  return s;
}

Series DatasetBase::drill_blocks(const Query& query, const BlockOptions& options,
                                 const BlockHandler& handler) const {
  BlockSchedule s = schedule_blocks(query, options);
  if (s.whole) return hand_whole(run(query, *s.reader), handler);
  std::vector<std::string> notes;
  Plan plan = s.plan;
  std::optional<NearestValidSearch> search;
  if (query.nearest_valid_km && !plan.box) {
    // Which candidate pixels hold data over every step, block by block.
    search.emplace(query, s.grid, s.plan);
    SeriesBuilder counter(query, search->search_plan(), s.columns);
    counter.count_only();
    std::vector<Problem> ignored;
    for (const auto& b : s.blocks) {
      const Query q = s.block_query(query, b);
      reader_for(q)->read({q, search->search_plan(), counter.read_variables()}, counter, ignored);
    }
    plan = search->choose(counter.pixels_with_value(), notes);
  }
  Series summary = std::move(s.head);
  if (search) add_distances(summary, search->distances());
  handler.begin(summary, s.times);
  BlockTally tally;
  for (const auto& why : plan.outside) tally.problems.push_back({"", "", why});
  tally.valid.assign(plan.pixels.size(), false);
  for (const auto& b : s.blocks) {
    const Query q = s.block_query(query, b);
    const auto block_reader = reader_for(q);
    SeriesBuilder builder(query, plan, s.columns);
    std::vector<Problem> found;
    block_reader->read({q, plan, builder.read_variables()}, builder, found);
    Series block = builder.finish({}, summary.source);
    tally.add(std::move(found), std::move(block_reader->notes), builder.pixels_with_value());
    if (search) add_distances(block, search->distances());
    block.columns = summary.columns;  // the digits of every step, not of this block's
    handler.rows(std::move(block));
  }
  note_emptiness(query, plan, tally.valid, notes);
  summary.problems = std::move(tally.problems);
  summary.notes = std::move(tally.notes);
  summary.notes.insert(summary.notes.end(), notes.begin(), notes.end());
  return summary;
}

}  // namespace pixeldrill::drill

#include "drill/dataset_base.h"

#include <algorithm>
#include <cstdio>
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
  series.source_attributes = info.global_attributes;
  series.notes.insert(series.notes.end(), notes.begin(), notes.end());
  if (search) {
    // The distance of each site's pixel, beside its values.
    series.columns.push_back({"pixel_distance", "km",
                              "great-circle distance from the requested position to the centre "
                              "of the pixel used (--nearest-valid)",
                              ""});
    const auto& km = search->distances();
    for (size_t r = 0; r < series.rows.size(); ++r) {
      series.rows[r].values.push_back(km[r % km.size()]);
    }
  }
  if (!query.site_columns.empty()) {
    series.site_columns = query.site_columns;
    for (size_t i = 0; i < query.sites.size() && i < query.site_values.size(); ++i) {
      series.site_values.emplace(query.sites[i].id, query.site_values[i]);
    }
  }
  return series;
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

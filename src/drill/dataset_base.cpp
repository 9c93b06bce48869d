#include "drill/dataset_base.h"

#include "core/error.h"
#include "drill/resolve.h"

namespace pixeldrill::drill {

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

Series DatasetBase::run(const Query& query, QueryReader& reader) const {
  const DatasetInfo& info = reader.info();
  std::vector<Column> columns = resolve_columns(info, query);
  const Plan plan = make_plan(query, info.grid);
  SeriesBuilder builder(query, plan, std::move(columns));
  std::vector<Problem> problems;
  reader.read({query, plan, builder.read_variables()}, builder, problems);
  Series series = builder.finish(std::move(problems), reader.describe());
  series.notes = std::move(reader.notes);
  series.source_attributes = info.global_attributes;
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

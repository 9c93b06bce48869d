#include "drill/dataset.h"

#include <mutex>

#include "core/error.h"
#include "drill/source.h"

namespace pixeldrill::drill {

const DatasetVariable* DatasetInfo::find(const std::string& name) const {
  for (const auto& v : variables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

namespace {

// Interim adapter over the per-backend DrillSource while the backends move
// to the dataset model: one query at a time.
class SourceDataset : public Dataset {
 public:
  SourceDataset(std::string spec, std::unique_ptr<DrillSource> source)
      : spec_(std::move(spec)), source_(std::move(source)) {
    auto info = std::make_shared<DatasetInfo>();
    info->source = spec_;
    info->kind = source_->kind();
    info_ = std::move(info);
  }
  std::shared_ptr<const DatasetInfo> info() const override { return info_; }
  Series drill(const Query& query) const override {
    std::lock_guard lock(mutex_);
    return source_->drill(query);
  }
  bool refresh() override { return false; }

 private:
  std::string spec_;
  std::unique_ptr<DrillSource> source_;
  std::shared_ptr<const DatasetInfo> info_;
  mutable std::mutex mutex_;
};

}  // namespace

std::shared_ptr<Dataset> open_dataset(const std::string& source) {
  return std::make_shared<SourceDataset>(source, open_source(source));
}

}  // namespace pixeldrill::drill

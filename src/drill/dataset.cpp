#include "drill/dataset.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "drill/dataset_registry.h"

namespace pixeldrill::drill {

const DatasetVariable* DatasetInfo::find(const std::string& name) const {
  for (const auto& v : variables) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

namespace {
std::vector<DatasetOpener>& openers() {
  static std::vector<DatasetOpener> all;
  return all;
}
}  // namespace

bool register_dataset_opener(DatasetOpener opener) {
  openers().push_back(std::move(opener));
  std::stable_sort(openers().begin(), openers().end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return true;
}

std::shared_ptr<Dataset> open_dataset(const std::string& source) {
  for (const auto& opener : openers()) {
    if (auto dataset = opener.open(source)) return dataset;
  }
  throw Error(
      ErrorKind::kNotFound,
      source + ": not a NetCDF file, folder, glob, index or store that pixeldrill can drill");
}

}  // namespace pixeldrill::drill

#include "drill/dataset.h"

#include <algorithm>
#include <filesystem>
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
  if (source.starts_with('@')) {
    // `index` reads a URL list (docs/remote.md); a drill goes through the
    // index it writes, which holds every file's chunk table.
    const std::string list = source.substr(1);
    std::error_code ec;
    throw BadRequest(
        source + ": a list of URLs is drilled through an index: run `pixeldrill index " + source +
        " -o urls.pdx` first, then `pixeldrill drill urls.pdx ...`" +
        (std::filesystem::exists(list, ec) ? "" : " (and " + list + " does not exist)") +
        "; see docs/remote.md");
  }
  for (const auto& opener : openers()) {
    if (auto dataset = opener.open(source)) return dataset;
  }
  throw Error(
      ErrorKind::kNotFound,
      source + ": not a NetCDF file, folder, glob, index or store that pixeldrill can drill");
}

}  // namespace pixeldrill::drill

#include "drill/source.h"

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace pixeldrill::drill {
namespace {
std::vector<SourceOpener>& openers() {
  static std::vector<SourceOpener> all;
  return all;
}
}  // namespace

bool register_source_opener(SourceOpener opener) {
  openers().push_back(std::move(opener));
  std::stable_sort(openers().begin(), openers().end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return true;
}

std::unique_ptr<DrillSource> open_source(const std::string& spec) {
  for (const auto& opener : openers()) {
    if (auto source = opener.open(spec)) return source;
  }
  throw Error(spec + ": not a NetCDF file, folder, glob, index or store that pixeldrill can drill");
}

}  // namespace pixeldrill::drill

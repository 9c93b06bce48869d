#pragma once
// How open_dataset() finds the backend for a SOURCE: each backend registers
// an opener that recognises its SOURCE by what it is (store folder, index
// magic bytes, NetCDF folder/glob/file), so `drill SOURCE` needs no flag
// saying which backend to use. Remote schemes plug in the same way.
#include <functional>
#include <memory>
#include <string>

#include "drill/dataset.h"

namespace pixeldrill::drill {

struct DatasetOpener {
  std::string kind;
  int priority = 0;  // higher is tried first
  // nullptr when `source` is not of this kind; throws Error when it is but
  // cannot be opened.
  std::function<std::shared_ptr<Dataset>(const std::string& source)> open;
};

bool register_dataset_opener(DatasetOpener opener);

}  // namespace pixeldrill::drill

#pragma once
// The Zarr store as a backend (`pixeldrill drill STORE ...`): reads only the
// chunks the query's pixels fall in (for a few pixels, only the blosc blocks
// holding their time series), decodes through the same Plan and
// SeriesBuilder as the other backends, and answers days newer than the
// store's end from its source (the chunk index or the raw files it was
// converted from). The store's journal is read only when a query reaches
// past the store's last day.
#include <memory>
#include <string>

#include "drill/dataset.h"

namespace pixeldrill::drill {

// Recognises a directory holding .zmetadata whose .zattrs carry
// pixeldrill_store; nullptr for anything else.
std::shared_ptr<Dataset> open_store_dataset(const std::string& spec);

}  // namespace pixeldrill::drill

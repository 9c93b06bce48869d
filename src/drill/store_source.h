#pragma once
// The Zarr store as a drill SOURCE (`pixeldrill drill STORE ...`): reads only
// the chunks the query's pixels fall in (for a few pixels, only the blosc
// blocks holding their time series), decodes through the same Plan and
// SeriesBuilder as the other paths, and answers days newer than the store's
// end from the raw files of its source collection (reference netCDF path).
#include <memory>
#include <string>

#include "drill/source.h"

namespace pixeldrill::drill {

// Recognises a directory holding .zmetadata whose .zattrs carry
// pixeldrill_store; nullptr for anything else.
std::unique_ptr<DrillSource> open_store_source(const std::string& spec);

}  // namespace pixeldrill::drill

#pragma once
// One query's reader over a NetcdfDataset (internal to the NetCDF backend).
#include <memory>

#include "drill/netcdf_dataset.h"

namespace pixeldrill::drill {

std::unique_ptr<QueryReader> make_netcdf_reader(
    const NetcdfDataset& dataset, std::shared_ptr<const NetcdfDataset::Listing> listing,
    const Query& query);

}  // namespace pixeldrill::drill

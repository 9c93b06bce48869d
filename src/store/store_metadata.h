#pragma once
// The Zarr/CF metadata of a pixeldrill store: .zgroup, global .zattrs, the
// time / lat / lon coordinate arrays and one .zarray + .zattrs per data
// variable, written so that xarray's open_zarr decodes it like the source.
#include <cstdint>
#include <string>

#include "formats/zarr/array_meta.h"
#include "formats/zarr/directory.h"
#include "store/collection_scan.h"
#include "store/store_state.h"

namespace pixeldrill::store {

// CF time in the store: int64 seconds since this instant (the GHRSST epoch).
inline constexpr int64_t kTimeEpochUnix = 347155200;  // 1981-01-01T00:00:00Z
inline constexpr const char* kTimeUnits = "seconds since 1981-01-01 00:00:00";

// The global attribute pixeldrill adds so `drill STORE` recognises the store:
// the store format version (a number; stores written before 2026-12 hold a
// dict here, which netCDF cannot carry). pixeldrill_store_source, _mode and
// _time beside it say what it was made from, how, and its time array's name.
inline constexpr const char* kStoreAttribute = "pixeldrill_store";

// The time array's name from the store's global attributes (either form).
std::string store_time_name(const nlohmann::json& global_attributes);

// Writes everything for an empty store (time length 0) from the collection.
void create_store_metadata(const zarr::Directory& dir, const Collection& c,
                           const StoreState& state);

// Array metadata of a data variable / the time axis, as in the store.
zarr::ArrayMeta variable_meta(const zarr::Directory& dir, const std::string& name);

// Sets the time length of the time array and every data variable, then
// rewrites .zmetadata.
void set_time_length(const zarr::Directory& dir, const StoreState& state, uint64_t length);

// The name of the store's time coordinate (its only 1-D array on "time").
std::string time_array_name(const zarr::Directory& dir);

}  // namespace pixeldrill::store

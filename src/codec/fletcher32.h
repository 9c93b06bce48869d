#pragma once
// HDF5's Fletcher-32 filter: a 4-byte checksum appended to the filtered chunk.
#include <cstddef>
#include <cstdint>
#include <span>

namespace pixeldrill::codec {

uint32_t hdf5_fletcher32(std::span<const std::byte> data);

// True when the last 4 bytes of `chunk` hold the checksum of the rest.
bool fletcher32_ok(std::span<const std::byte> chunk);

}  // namespace pixeldrill::codec

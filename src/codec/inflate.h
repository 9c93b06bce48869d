#pragma once
// Inflating zlib streams (the HDF5 / netCDF "deflate" filter writes zlib
// format: 2-byte header, raw deflate, adler32) with one of three engines.
// libdeflate is the fastest for whole buffers but cannot stop part-way;
// zlib and isa-l stream, so inflate_prefix() can stop once the bytes a drill
// needs are out, which for a point near the start of a chunk skips most work.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace pixeldrill::codec {

// kAuto: isa-l streaming when stopping early saves enough, libdeflate for
// (nearly) whole chunks -- the fastest of the measured engines in each case.
enum class Inflater { kZlib, kLibdeflate, kIsal, kAuto };

const char* inflater_name(Inflater engine);
Inflater parse_inflater(const std::string& name);  // "zlib", "libdeflate", "isal", "auto"

// Below this fraction of the whole output, kAuto stops early with isa-l
// (about 2 GB/s) rather than inflating everything with libdeflate (3-3.7 GB/s).
inline constexpr double kAutoPrefixFraction = 0.5;

// Thrown for a corrupt or truncated stream; callers add file/variable/chunk.
class CodecError : public Error {
 public:
  using Error::Error;
};

// Inflates all of `in` into `out`, which must hold the whole output.
// Returns the number of bytes produced; throws CodecError on corrupt input,
// a failed checksum or output that does not fit.
size_t inflate_all(Inflater engine, std::span<const std::byte> in, std::span<std::byte> out);

// Produces at least the first `prefix` bytes of the output into out[0, prefix)
// and stops there (zlib and isa-l stop early; libdeflate inflates everything,
// so `out` must then hold the whole output). The adler32 check is skipped
// when stopping early. Returns the number of bytes produced (>= prefix).
size_t inflate_prefix(Inflater engine, std::span<const std::byte> in, std::span<std::byte> out,
                      size_t prefix);

// Reads `out.size()` compressed bytes starting at `offset` within the stream.
using StreamReader = std::function<void(uint64_t offset, std::span<std::byte> out)>;

// Like inflate_prefix() for zlib and isa-l (kAuto: isa-l), but pulls the
// compressed stream of `stored_size` bytes through `read` only as far as the
// inflater consumes it: `first_read` bytes first, then larger blocks, every
// read ending on a 64 KiB boundary (kCrcBlockSize) or at the end of the stream. `input`
// is scratch space for the stream. Returns the output produced (>= prefix)
// and sets *bytes_read to the compressed bytes read.
size_t inflate_prefix_streaming(Inflater engine, const StreamReader& read, uint64_t stored_size,
                                uint64_t first_read, std::vector<std::byte>& input,
                                std::span<std::byte> out, size_t prefix, uint64_t* bytes_read);

}  // namespace pixeldrill::codec

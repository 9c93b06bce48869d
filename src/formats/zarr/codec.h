#pragma once
// Chunk compressors a Zarr v2 store may name in .zarray, limited to those
// numcodecs (Debian python3-zarr 2.13) reads: blosc (lz4 / zstd / ..., with
// byte shuffle) and plain zstd. Compression is deterministic (one internal
// thread), so a resumed conversion writes byte-identical chunks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "codec/blosc_frame.h"
#include "io/byte_source.h"

namespace pixeldrill::zarr {

struct Codec {
  enum class Kind { kNone, kBlosc, kZstd };
  Kind kind = Kind::kBlosc;
  std::string cname = "lz4";  // blosc only: lz4, zstd, blosclz, zlib, lz4hc
  int clevel = 5;
  int shuffle = 1;       // blosc only: 0 none, 1 byte, 2 bit
  size_t blocksize = 0;  // blosc only: 0 = automatic

  bool operator==(const Codec&) const = default;
  // numcodecs config, or null for no compressor.
  nlohmann::json to_json() const;
  // Throws Error naming `where` for codecs pixeldrill cannot decode.
  static Codec from_json(const nlohmann::json& j, const std::string& where);
  // Parses "blosc-lz4", "blosc-zstd", "zstd", "none", optionally ":LEVEL".
  static Codec parse(const std::string& text);

  std::vector<std::byte> compress(std::span<const std::byte> raw, size_t typesize) const;
  // Decodes a whole chunk into `out` (exactly its decoded size); throws Error
  // naming `where` when the bytes are corrupt or decode to another size.
  void decompress(std::span<const std::byte> encoded, std::span<std::byte> out,
                  const std::string& where) const;
  // Decodes only items [start, start + out.size()/typesize) of the chunk;
  // blosc decompresses just the blocks holding them.
  void decompress_items(std::span<const std::byte> encoded, size_t start, size_t typesize,
                        std::span<std::byte> out, const std::string& where) const;
};

}  // namespace pixeldrill::zarr

namespace pixeldrill::zarr {

// Bytes [first, first + out.size()) of a blosc frame that
// codec::BloscHeader::read_here() accepts; errors name `where`.
void read_blosc_bytes(const codec::BloscFrameBytes& frame, size_t first, std::span<std::byte> out,
                      const std::string& where);

// Reads items [start, start + out.size()/typesize) of the chunk held by
// `source`, touching only the bytes they need: for blosc the header, the block
// offsets and the blocks holding them (in one batch); other codecs read the
// whole object.
void read_chunk_items(const io::ByteSource& source, const Codec& codec, size_t chunk_bytes,
                      size_t start, size_t typesize, std::span<std::byte> out);

}  // namespace pixeldrill::zarr

// libFuzzer target: Zarr .zarray metadata followed by chunk bytes. Metadata
// is validated before anything is allocated from it; a chunk decodes to
// exactly its size or throws pixeldrill::Error.
#include <blosc.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "codec/blosc_frame.h"
#include "core/error.h"
#include "formats/zarr/array_meta.h"
#include "formats/zarr/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pixeldrill::zarr::ArrayMeta;
  // Input: JSON text, a NUL byte, then the encoded chunk.
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  if (!nul) return 0;
  const std::string text(reinterpret_cast<const char*>(data), static_cast<size_t>(nul - data));
  const auto chunk = std::as_bytes(std::span(nul + 1, data + size));
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    const ArrayMeta meta = ArrayMeta::from_json(j, "fuzz/.zarray");
    const size_t bytes = meta.chunk_items() * meta.item_size();
    // Bounded by from_json to 2 GiB; keep the fuzzer's memory small.
    if (bytes > (size_t{64} << 20)) return 0;
    std::vector<std::byte> out(bytes);
    meta.codec.decompress(chunk, out, "fuzz/0.0");
    // pixeldrill decodes zstd blosc frames itself: whatever it accepts,
    // libblosc must decode to the same bytes.
    if (meta.codec.kind == pixeldrill::zarr::Codec::Kind::kBlosc &&
        pixeldrill::codec::BloscHeader::parse(chunk).read_here()) {
      std::vector<std::byte> theirs(bytes);
      if (blosc_decompress_ctx(chunk.data(), theirs.data(), theirs.size(), 1) !=
              static_cast<int>(bytes) ||
          theirs != out) {
        __builtin_trap();
      }
    }
    const size_t items = meta.chunk_items();
    if (items > 0) {
      const size_t start = items / 3, n = std::min<size_t>(items - start, 7);
      std::vector<std::byte> part(n * meta.item_size());
      meta.codec.decompress_items(chunk, start, meta.item_size(), part, "fuzz/0.0");
      if (std::memcmp(part.data(), out.data() + start * meta.item_size(), part.size()) != 0) {
        __builtin_trap();  // a partial decode must agree with the whole one
      }
    }
  } catch (const pixeldrill::Error&) {
  }
  return 0;
}

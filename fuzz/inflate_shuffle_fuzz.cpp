// libFuzzer target: the HDF5 chunk pipeline (fletcher32, early-stop inflate,
// shuffle) on arbitrary stored bytes with arbitrary filter settings, through
// each inflate engine: decoding returns the needed elements or throws
// pixeldrill::Error; a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/chunk_pipeline.h"
#include "codec/inflate.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pixeldrill::codec;
  if (size < 4) return 0;
  // Four control bytes: element size, filter layout, element count, index.
  const size_t elem_sizes[] = {1, 2, 4, 8};
  Pipeline p;
  p.elem_size = elem_sizes[data[0] & 3];
  const uint8_t layout = data[1];
  int pos = 0;
  if (layout & 1) p.shuffle = pos++;
  p.deflate = pos++;
  if (layout & 2) p.fletcher32 = pos++;
  const uint32_t mask = (layout >> 2) & 7;  // filters skipped for this chunk
  const size_t count = 1 + (static_cast<size_t>(data[2]) << 4);
  const size_t max_index = data[3] % count;
  const auto stored = std::as_bytes(std::span(data + 4, size - 4));

  for (const Inflater engine : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal}) {
    try {
      DecodedChunk chunk;
      chunk.decode(p, mask, stored, count, max_index, engine);
      std::vector<std::byte> got((max_index + 1) * p.elem_size);
      for (size_t i = 0; i <= max_index; ++i) chunk.element(i, got.data() + i * p.elem_size);
    } catch (const pixeldrill::Error&) {
    }
  }
  return 0;
}

// libFuzzer target: the collection index reader on arbitrary bytes must
// throw pixeldrill::Error or return, never crash or allocate without bound.
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/error.h"
#include "index/collection_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The header's length, version and CRC-32 would stop almost every mutation
  // at the door; set them so the payload parser behind them is what gets fuzzed.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kHeader = 32;
  if (bytes.size() >= kHeader) {
    const uint32_t version = pixeldrill::index::kFormatVersion;
    const uint64_t payload = bytes.size() - kHeader;
    const auto crc = static_cast<uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data() + kHeader), payload));
    std::memcpy(bytes.data() + 8, &version, 4);
    std::memcpy(bytes.data() + 16, &payload, 8);
    std::memcpy(bytes.data() + 24, &crc, 4);
  }
  try {
    // In memory (read_index reads the file and calls this): no file per run.
    const auto idx = pixeldrill::index::parse_index(bytes, "fuzz.pdx");
    (void)idx;
  } catch (const pixeldrill::Error&) {
  }
  return 0;
}

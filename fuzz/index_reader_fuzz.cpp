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
#include "index/index_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // read_index takes a path: one scratch file per fuzzing process.
  static const std::string path = "/tmp/pixeldrill-fuzz-index-" + std::to_string(::getpid());
  // The header's length, version and CRC-32 would stop almost every mutation
  // at the door; set them so the payload parser behind them is what gets fuzzed.
  // Version 2: its decoder, then the version-3 encoder and the mapped parser
  // run on whatever it accepted.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  constexpr size_t kHeader = 32;
  if (bytes.size() >= kHeader) {
    const uint32_t version = pixeldrill::index::format::kVersion2;
    const uint64_t payload = bytes.size() - kHeader;
    const auto crc = static_cast<uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data() + kHeader), payload));
    std::memcpy(bytes.data() + 8, &version, 4);
    std::memcpy(bytes.data() + 16, &payload, 8);
    std::memcpy(bytes.data() + 24, &crc, 4);
  }
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  try {
    const auto idx = pixeldrill::index::read_index(path);
    (void)idx;
  } catch (const pixeldrill::Error&) {
  }
  return 0;
}

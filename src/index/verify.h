#pragma once
// `pixeldrill info --verify`: re-reads every indexed chunk and checks it
// against the index -- file size and mtime, CRC-32C of every 64 KiB block,
// fletcher32 where the file has it, and the adler32 of every whole deflate
// stream -- so bit rot is found before a drill would stumble on it.
#include <cstdint>
#include <string>
#include <vector>

#include "index/collection_index.h"

namespace pixeldrill::index {

struct VerifyReport {
  size_t files = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;  // stored bytes read
  // One line per damaged or changed file: "PATH: variable V: chunk N ...".
  std::vector<std::string> problems;
};

// Checks every file of `index` (in parallel, `threads` 0 = one per core).
VerifyReport verify_index(const CollectionIndex& index, unsigned threads);

}  // namespace pixeldrill::index

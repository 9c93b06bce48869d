#pragma once
// The first 16 KiB block of chunk objects already verified, kept by a process
// that drills one store many times (a server, per version of the store's
// metadata). Every point drill in a chunk reads that block (the codec's header
// and block offsets) besides the block holding its own series, so a served
// point read it from disk and checked its CRC once per chunk per request
// (docs/serve.md, "Head blocks kept"). A block is handed out only for a CRC-32C
// the chunk's manifest expects, so it is the bytes the store wrote: a chunk
// rewritten since has other checksums and is read anew. Thread-safe; bounded
// (forgets everything when full, as ManifestCache does).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pixeldrill::store {

class HeadBlockCache {
 public:
  using Bytes = std::shared_ptr<const std::byte[]>;
  explicit HeadBlockCache(size_t max_bytes = size_t{64} << 20) : max_bytes_(max_bytes) {}

  // The block of chunk `name` (an object of `size` bytes) whose CRC-32C is `crc`; null when not
  // held.
  Bytes find(const std::string& name, uint64_t size, uint32_t crc) const;
  // Keeps `bytes` (`n` of them, already verified to have CRC-32C `crc`).
  void put(const std::string& name, uint64_t size, uint32_t crc, Bytes bytes, size_t n);

 private:
  static std::string key(const std::string& name, uint64_t size, uint32_t crc);
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bytes> blocks_;
  size_t held_ = 0;
};

}  // namespace pixeldrill::store

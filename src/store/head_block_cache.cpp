#include "store/head_block_cache.h"

#include <utility>

namespace pixeldrill::store {

std::string HeadBlockCache::key(const std::string& name, uint64_t size, uint32_t crc) {
  return name + '\n' + std::to_string(size) + '\n' + std::to_string(crc);
}

HeadBlockCache::Bytes HeadBlockCache::find(const std::string& name, uint64_t size,
                                           uint32_t crc) const {
  std::lock_guard lock(mutex_);
  const auto it = blocks_.find(key(name, size, crc));
  return it == blocks_.end() ? nullptr : it->second;
}

void HeadBlockCache::put(const std::string& name, uint64_t size, uint32_t crc, Bytes bytes,
                         size_t n) {
  if (n > max_bytes_) return;
  std::lock_guard lock(mutex_);
  if (held_ + n > max_bytes_) {
    blocks_.clear();
    held_ = 0;
  }
  if (blocks_.insert_or_assign(key(name, size, crc), std::move(bytes)).second) held_ += n;
}

}  // namespace pixeldrill::store

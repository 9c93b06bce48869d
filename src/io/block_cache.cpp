#include <algorithm>
#include <list>
#include <map>
#include <mutex>
#include <vector>

#include "io/byte_source.h"

namespace pixeldrill::io {
namespace {

class BlockCache final : public BlockCachedSource {
 public:
  BlockCache(std::unique_ptr<ByteSource> inner, size_t block, size_t capacity)
      : inner_(std::move(inner)), block_(block), capacity_(std::max<size_t>(capacity, 2)) {}

  uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }

  void read(uint64_t offset, std::span<std::byte> out) const override {
    if (!cached(offset, out.size())) {
      inner_->read(offset, out);  // large, or past the end: the inner source says why
      return;
    }
    const uint64_t first = offset / block_, last = (offset + out.size() - 1) / block_;
    std::lock_guard lock(mutex_);
    std::vector<uint64_t> wanted;
    for (uint64_t b = first; b <= last; ++b) wanted.push_back(b);
    fetch(wanted);
    size_t done = 0;
    for (uint64_t b = first; b <= last; ++b) {
      const std::vector<std::byte>& data = touch(b);
      const uint64_t start = b * block_;
      const uint64_t from = std::max<uint64_t>(offset, start);
      const uint64_t to = std::min<uint64_t>(offset + out.size(), start + data.size());
      std::copy(data.begin() + static_cast<ptrdiff_t>(from - start),
                data.begin() + static_cast<ptrdiff_t>(to - start), out.begin() + done);
      done += to - from;
    }
  }

  // Every block the small reads need in one batch (the inner source keeps
  // them in flight together), the large reads beside them: a remote chunk's
  // blosc blocks are one round trip, not one each.
  void read_many(std::span<const ReadRequest> reads) const override {
    std::vector<ReadRequest> large;
    std::vector<uint64_t> wanted;
    for (const auto& r : reads) {
      if (r.out.empty()) continue;
      if (!cached(r.offset, r.out.size())) {
        large.push_back(r);
        continue;
      }
      for (uint64_t b = r.offset / block_; b <= (r.offset + r.out.size() - 1) / block_; ++b) {
        wanted.push_back(b);
      }
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    if (wanted.size() > capacity_) {  // more than the cache holds: one at a time
      ByteSource::read_many(reads);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      fetch(wanted);
    }
    if (!large.empty()) inner_->read_many(large);
    for (const auto& r : reads) {
      if (!r.out.empty() && cached(r.offset, r.out.size())) {
        read(r.offset, r.out);  // from the blocks just loaded
      }
    }
  }

  void prefetch(std::span<const uint64_t> blocks) const override {
    std::vector<uint64_t> wanted;
    for (uint64_t b : blocks) {
      if (b * block_ < inner_->size() && wanted.size() < capacity_) wanted.push_back(b);
    }
    std::lock_guard lock(mutex_);
    fetch(wanted);
  }

  std::vector<uint64_t> blocks_loaded() const override {
    std::lock_guard lock(mutex_);
    return loaded_order_;
  }

 private:
  // Reads served from the blocks: small ones within the object (a larger or
  // overlong one goes to the inner source, which says why it fails).
  bool cached(uint64_t offset, size_t n) const {
    return n <= block_ && offset + n <= inner_->size();
  }

  // Loads the missing blocks in one request batch.
  void fetch(const std::vector<uint64_t>& wanted) const {
    std::vector<ReadRequest> reads;
    std::vector<std::pair<uint64_t, std::vector<std::byte>>> loaded;
    loaded.reserve(wanted.size());
    for (uint64_t b : wanted) {
      if (blocks_.count(b)) continue;
      const uint64_t start = b * block_;
      const uint64_t len = std::min<uint64_t>(block_, inner_->size() - start);
      loaded.emplace_back(b, std::vector<std::byte>(len));
      reads.push_back({start, loaded.back().second});
    }
    if (reads.empty()) return;
    inner_->read_many(reads);
    for (auto& [b, data] : loaded) {
      loaded_order_.push_back(b);
      lru_.push_front(b);
      blocks_[b] = {std::move(data), lru_.begin()};
    }
    while (blocks_.size() > capacity_) {
      blocks_.erase(lru_.back());
      lru_.pop_back();
    }
  }

  const std::vector<std::byte>& touch(uint64_t b) const {
    auto& entry = blocks_.at(b);
    lru_.splice(lru_.begin(), lru_, entry.second);
    return entry.first;
  }

  std::unique_ptr<ByteSource> inner_;
  size_t block_, capacity_;
  mutable std::mutex mutex_;
  mutable std::list<uint64_t> lru_;
  mutable std::vector<uint64_t> loaded_order_;
  mutable std::map<uint64_t, std::pair<std::vector<std::byte>, std::list<uint64_t>::iterator>>
      blocks_;
};

}  // namespace

std::unique_ptr<BlockCachedSource> with_block_cache(std::unique_ptr<ByteSource> source,
                                                    size_t block, size_t capacity) {
  return std::make_unique<BlockCache>(std::move(source), block, capacity);
}

}  // namespace pixeldrill::io

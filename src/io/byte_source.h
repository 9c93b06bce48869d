#pragma once
// The bytes layer: a read-only, random-access view of one object (local file,
// HTTP URL, S3 key). Formats and drills read through this and never know
// where the bytes live.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace pixeldrill::io {

struct ReadRequest {
  uint64_t offset = 0;
  std::span<std::byte> out;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly out.size() bytes at offset; throws Error naming the source
  // when the object is shorter or the read fails.
  virtual void read(uint64_t offset, std::span<std::byte> out) const = 0;
  // Several reads at once: remote sources coalesce near ranges and keep many
  // requests in flight. Same guarantees as read().
  virtual void read_many(std::span<const ReadRequest> reads) const {
    for (const auto& r : reads) read(r.offset, r.out);
  }
  virtual const std::string& name() const = 0;
};

std::unique_ptr<ByteSource> open_file_source(const std::string& path);

// Serves reads of at most `block` bytes from whole aligned blocks kept in a
// bounded LRU cache (`capacity` blocks): HDF5 metadata reads are many and
// small. Larger reads go straight through. Thread-safe.
class BlockCachedSource : public ByteSource {
 public:
  // Loads these blocks (numbers) in one batch of parallel requests: files of
  // one collection keep their metadata at nearly the same offsets, so the
  // blocks the previous file needed are a good guess for the next one.
  virtual void prefetch(std::span<const uint64_t> blocks) const = 0;
  // Every block loaded so far (prefetched or missed), in load order.
  virtual std::vector<uint64_t> blocks_loaded() const = 0;
};
std::unique_ptr<BlockCachedSource> with_block_cache(std::unique_ptr<ByteSource> source,
                                                    size_t block = 64 * 1024, size_t capacity = 64);

}  // namespace pixeldrill::io

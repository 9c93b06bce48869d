#pragma once
// The bytes layer: a read-only, random-access view of one object (local file,
// HTTP URL, S3 key). Formats and drills read through this and never know
// where the bytes live.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace pixeldrill::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly out.size() bytes at offset; throws Error naming the source
  // when the object is shorter or the read fails.
  virtual void read(uint64_t offset, std::span<std::byte> out) const = 0;
  virtual const std::string& name() const = 0;
};

std::unique_ptr<ByteSource> open_file_source(const std::string& path);

}  // namespace pixeldrill::io

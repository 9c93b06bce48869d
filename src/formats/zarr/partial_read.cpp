#include <blosc.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "formats/zarr/codec.h"

namespace pixeldrill::zarr {
namespace {

class Fd {
 public:
  explicit Fd(const std::string& path)
      : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw Error(path + ": cannot open chunk");
  }
  ~Fd() { ::close(fd_); }
  uint64_t size() const {
    const off_t end = ::lseek(fd_, 0, SEEK_END);
    return end < 0 ? 0 : static_cast<uint64_t>(end);
  }
  void read(uint64_t offset, std::byte* out, size_t n) const {
    size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (r <= 0) throw Error(path_ + ": chunk is shorter than its header says");
      done += static_cast<size_t>(r);
    }
  }

 private:
  std::string path_;
  int fd_;
};

uint32_t le32(const std::byte* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

void read_chunk_items(const std::string& path, const Codec& codec, size_t chunk_bytes, size_t start,
                      size_t typesize, std::span<std::byte> out) {
  const auto fd = std::make_shared<Fd>(path);
  ChunkBytes chunk{path, fd->size(), [fd](uint64_t offset, std::span<std::byte> to) {
                     fd->read(offset, to.data(), to.size());
                   }};
  read_chunk_items(chunk, codec, chunk_bytes, start, typesize, out);
}

void read_chunk_items(const ChunkBytes& chunk, const Codec& codec, size_t chunk_bytes, size_t start,
                      size_t typesize, std::span<std::byte> out) {
  const std::string& path = chunk.name;
  const uint64_t size = chunk.size;
  auto read = [&](uint64_t offset, std::byte* to, size_t n) {
    if (offset + n > size) throw Error(path + ": chunk is shorter than its header says");
    chunk.read(offset, std::span(to, n));
  };
  if (codec.kind != Codec::Kind::kBlosc) {
    std::vector<std::byte> all(size);
    read(0, all.data(), all.size());
    codec.decompress_items(all, start, typesize, out, path);
    return;
  }
  if (size < BLOSC_MIN_HEADER_LENGTH) throw Error(path + ": corrupt blosc chunk");
  std::byte header[BLOSC_MIN_HEADER_LENGTH];
  read(0, header, sizeof header);
  const auto flags = static_cast<uint8_t>(header[2]);
  const size_t ts = static_cast<uint8_t>(header[3]);
  const size_t nbytes = le32(header + 4), blocksize = le32(header + 8), cbytes = le32(header + 12);
  const size_t first = start * typesize, last = first + out.size();  // byte range wanted
  if (cbytes != size || nbytes != chunk_bytes || ts != typesize || last > nbytes ||
      blocksize == 0) {
    throw Error(path + ": blosc chunk header does not match the array (" + std::to_string(nbytes) +
                " bytes in " + std::to_string(cbytes) + ")");
  }
  if (flags & BLOSC_MEMCPYED) {
    read(BLOSC_MIN_HEADER_LENGTH + first, out.data(), out.size());
    return;
  }
  const size_t nblocks = (nbytes + blocksize - 1) / blocksize;
  const size_t b0 = first / blocksize, b1 = (last - 1) / blocksize;
  // A sparse copy of the frame: header, block offsets and the needed blocks
  // at their places; blosc_getitem reads nothing else. Left uninitialised
  // (new[] without ()), so untouched pages cost nothing.
  const size_t table_end = BLOSC_MIN_HEADER_LENGTH + nblocks * 4;
  if (table_end > cbytes) throw Error(path + ": corrupt blosc chunk");
  std::unique_ptr<std::byte[]> frame(new std::byte[cbytes]);
  std::memcpy(frame.get(), header, sizeof header);
  read(BLOSC_MIN_HEADER_LENGTH, frame.get() + BLOSC_MIN_HEADER_LENGTH, nblocks * 4);
  // Blocks may sit in any order (blosc writes them as threads finish), so a
  // block ends where the next-higher block start is.
  std::vector<size_t> starts(nblocks);
  for (size_t j = 0; j < nblocks; ++j) {
    starts[j] = le32(frame.get() + BLOSC_MIN_HEADER_LENGTH + j * 4);
  }
  for (size_t b = b0; b <= b1; ++b) {
    const size_t from = starts[b];
    size_t to = cbytes;
    for (size_t s : starts) {
      if (s > from && s < to) to = s;
    }
    if (from < table_end || to > cbytes) throw Error(path + ": corrupt blosc chunk");
    read(from, frame.get() + from, to - from);
  }
  const int n = blosc_getitem(frame.get(), static_cast<int>(start),
                              static_cast<int>(out.size() / typesize), out.data());
  if (n < 0 || static_cast<size_t>(n) != out.size()) throw Error(path + ": corrupt blosc chunk");
}

}  // namespace pixeldrill::zarr

#include <blosc.h>

#include <cstring>
#include <memory>
#include <vector>

#include "codec/blosc_frame.h"
#include "core/error.h"
#include "formats/zarr/codec.h"

namespace pixeldrill::zarr {

void read_chunk_items(const io::ByteSource& source, const Codec& codec, size_t chunk_bytes,
                      size_t start, size_t typesize, std::span<std::byte> out) {
  const std::string& path = source.name();
  const uint64_t size = source.size();
  if (codec.kind != Codec::Kind::kBlosc) {
    std::vector<std::byte> all(size);
    source.read(0, all);
    codec.decompress_items(all, start, typesize, out, path);
    return;
  }
  if (size < BLOSC_MIN_HEADER_LENGTH) throw Error(path + ": corrupt blosc chunk");
  std::byte header[BLOSC_MIN_HEADER_LENGTH];
  source.read(0, header);
  const codec::BloscHeader h = codec::BloscHeader::parse(header);
  const size_t nbytes = h.nbytes, blocksize = h.blocksize, cbytes = h.cbytes;
  const size_t first = start * typesize, last = first + out.size();  // byte range wanted
  if (cbytes != size || nbytes != chunk_bytes || h.typesize != typesize || last > nbytes ||
      blocksize == 0) {
    throw Error(path + ": blosc chunk header does not match the array (" + std::to_string(nbytes) +
                " bytes in " + std::to_string(cbytes) + ")");
  }
  if (h.flags & BLOSC_MEMCPYED) {
    source.read(BLOSC_MIN_HEADER_LENGTH + first, out);
    return;
  }
  const size_t nblocks = (nbytes + blocksize - 1) / blocksize;
  const size_t b0 = first / blocksize, b1 = (last - 1) / blocksize;
  const size_t table_end = BLOSC_MIN_HEADER_LENGTH + nblocks * 4;
  if (table_end > cbytes) throw Error(path + ": corrupt blosc chunk");
  std::vector<std::byte> head(table_end);
  std::memcpy(head.data(), header, sizeof header);
  source.read(BLOSC_MIN_HEADER_LENGTH, std::span(head).subspan(BLOSC_MIN_HEADER_LENGTH));
  const codec::BloscFrameBytes table{head, {}, 0, cbytes};
  struct Range {
    size_t from, to;
  };
  std::vector<Range> blocks;
  for (size_t b = b0; b <= b1; ++b) {
    const size_t from = table.block_start(b), to = table.block_end(b, nblocks);
    if (from < table_end || to > cbytes) throw Error(path + ": corrupt blosc chunk");
    blocks.push_back({from, to});
  }
  if (h.read_here()) {
    // Just the span from the first needed block to the end of the last: no
    // buffer the size of the frame (a served point read ten 1.2 MB frames).
    size_t lo = cbytes, hi = 0;
    for (const auto& r : blocks) {
      lo = std::min(lo, r.from);
      hi = std::max(hi, r.to);
    }
    std::vector<std::byte> run(hi - lo);
    std::vector<io::ReadRequest> reads;
    for (const auto& r : blocks)
      reads.push_back({r.from, std::span(run).subspan(r.from - lo, r.to - r.from)});
    source.read_many(reads);
    read_blosc_bytes(codec::BloscFrameBytes{head, run, lo, cbytes}, first, out, path);
    return;
  }
  // libblosc wants the frame whole: a sparse copy with the header, the block
  // offsets and the needed blocks at their places (blosc_getitem reads
  // nothing else), left uninitialised (new[] without ()), so untouched pages
  // cost nothing.
  std::unique_ptr<std::byte[]> frame(new std::byte[cbytes]);
  std::memcpy(frame.get(), head.data(), head.size());
  std::vector<io::ReadRequest> reads;
  for (const auto& r : blocks)
    reads.push_back({r.from, std::span(frame.get() + r.from, r.to - r.from)});
  source.read_many(reads);
  const int n = blosc_getitem(frame.get(), static_cast<int>(start),
                              static_cast<int>(out.size() / typesize), out.data());
  if (n < 0 || static_cast<size_t>(n) != out.size()) throw Error(path + ": corrupt blosc chunk");
}

}  // namespace pixeldrill::zarr

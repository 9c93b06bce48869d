#include <zlib.h>

#include <cstring>

#include "index/index_codec.h"
#include "index/index_format.h"

namespace pixeldrill::index::format {

using namespace codec_detail;

// Version 2: a 32-byte header (magic, version, payload length, CRC-32 of the
// payload) and one payload decoded whole.
CollectionIndex decode_v2(const char* bytes, size_t total, const std::string& path) {
  constexpr size_t kHeaderSize = 32;
  uint32_t crc = 0;
  uint64_t size = 0;
  std::memcpy(&size, bytes + 16, 8);
  std::memcpy(&crc, bytes + 24, 4);
  if (total < kHeaderSize || size != total - kHeaderSize) {
    throw Error(path + ": index is truncated (" +
                std::to_string(total < kHeaderSize ? 0 : total - kHeaderSize) + " of " +
                std::to_string(size) + " payload bytes)");
  }
  const char* payload = bytes + kHeaderSize;
  if (static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(payload), size)) != crc) {
    throw Error(path + ": index checksum mismatch (file corrupt); re-run pixeldrill index");
  }
  Reader r(payload, size, path);
  CollectionIndex index;
  index.collection = r.str();
  index.grids.resize(r.count(16));
  for (auto& g : index.grids) {
    g.lat = get_axis(r);
    g.lon = get_axis(r);
  }
  index.layouts.resize(r.count(16));
  for (auto& l : index.layouts) l = get_layout(r);
  index.files.resize(r.count(16));
  for (auto& f : index.files) {
    f.path = r.str();
    f.size = r.u64();
    f.mtime_ns = r.i64();
    f.layout = r.u32();
    const size_t nt = r.count(16);
    f.time_raw.resize(nt);
    f.times.resize(nt);
    r.raw(f.time_raw.data(), nt * 8);
    r.raw(f.times.data(), nt * 8);
    f.vars = get_file_vars(r);
    if (f.layout >= index.layouts.size() || f.vars.size() != index.layouts[f.layout].vars.size()) {
      throw Error(path + ": index is inconsistent (file " + f.path + ")");
    }
  }
  index.problems.resize(r.count(4));
  for (auto& p : index.problems) p = r.str();
  if (!r.done()) throw Error(path + ": index has trailing bytes");
  return index;
}

}  // namespace pixeldrill::index::format

#include "formats/zarr/codec.h"

#include <blosc.h>
#include <zstd.h>

#include <cstring>
#include <optional>

#include "codec/blosc_frame.h"
#include "codec/zstd_context.h"
#include "core/error.h"

namespace pixeldrill::zarr {

nlohmann::json Codec::to_json() const {
  switch (kind) {
    case Kind::kNone:
      return nullptr;
    case Kind::kZstd:
      return {{"id", "zstd"}, {"level", clevel}};
    case Kind::kBlosc:
      return {{"blocksize", blocksize},
              {"clevel", clevel},
              {"cname", cname},
              {"id", "blosc"},
              {"shuffle", shuffle}};
  }
  return nullptr;
}

namespace {

// A whole number in [lo, hi], or `fallback` when absent: nlohmann's value<T>()
// would convert 6.7e82 to an integer with undefined behaviour (found by
// zarr_chunk_fuzz).
int64_t whole_number(const nlohmann::json& j, const char* key, int64_t fallback, int64_t lo,
                     int64_t hi, const std::string& where) {
  if (!j.contains(key)) return fallback;
  const auto& v = j.at(key);
  const bool ok = v.is_number_integer() &&
                  (v.is_number_unsigned() ? v.get<uint64_t>() <= static_cast<uint64_t>(hi)
                                          : v.get<int64_t>() >= lo && v.get<int64_t>() <= hi);
  if (!ok || (v.is_number_unsigned() && static_cast<int64_t>(v.get<uint64_t>()) < lo)) {
    throw Error(ErrorKind::kCorrupt, where + ": compressor " + key + " = " + v.dump() +
                                         " is not a whole number in " + std::to_string(lo) + ".." +
                                         std::to_string(hi));
  }
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}

}  // namespace

Codec Codec::from_json(const nlohmann::json& j, const std::string& where) {
  Codec c;
  if (j.is_null()) {
    c.kind = Kind::kNone;
    return c;
  }
  const std::string id = j.value("id", "");
  if (id == "zstd") {
    c.kind = Kind::kZstd;
    c.clevel = static_cast<int>(whole_number(j, "level", 1, -131072, 22, where));
    return c;
  }
  if (id == "blosc") {
    c.kind = Kind::kBlosc;
    c.cname = j.value("cname", "lz4");
    c.clevel = static_cast<int>(whole_number(j, "clevel", 5, 0, 9, where));
    c.shuffle = static_cast<int>(whole_number(j, "shuffle", 1, -1, 2, where));
    c.blocksize = static_cast<size_t>(whole_number(j, "blocksize", 0, 0, int64_t{1} << 31, where));
    return c;
  }
  throw Error(where + ": compressor '" + j.dump() + "' is not supported (blosc or zstd)");
}

Codec Codec::parse(const std::string& text) {
  std::string name = text;
  std::optional<int> level;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    name = text.substr(0, colon);
    try {
      level = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
      throw Error("--codec: bad level in '" + text + "'");
    }
  }
  Codec c;
  if (name == "none") {
    c.kind = Kind::kNone;
  } else if (name == "zstd") {
    c.kind = Kind::kZstd;
    c.clevel = 3;
  } else if (name.rfind("blosc-", 0) == 0) {
    c.kind = Kind::kBlosc;
    c.cname = name.substr(6);
    if (blosc_compname_to_compcode(c.cname.c_str()) < 0) {
      throw Error("--codec: blosc has no compressor '" + c.cname + "'");
    }
  } else {
    throw Error("--codec: '" + text + "' is not blosc-lz4, blosc-zstd, zstd or none");
  }
  if (level) c.clevel = *level;
  return c;
}

std::vector<std::byte> Codec::compress(std::span<const std::byte> raw, size_t typesize) const {
  std::vector<std::byte> out;
  switch (kind) {
    case Kind::kNone:
      out.assign(raw.begin(), raw.end());
      return out;
    case Kind::kZstd: {
      out.resize(ZSTD_compressBound(raw.size()));
      const size_t n = codec::zstd_encode(raw, out, clevel);
      if (n == 0) throw Error("zstd compression at level " + std::to_string(clevel) + " failed");
      out.resize(n);
      return out;
    }
    case Kind::kBlosc: {
      if (cname == "zstd" && (shuffle == 0 || shuffle == 1) && blocksize > 0) {
        out = codec::blosc_zstd_encode(raw, typesize, clevel, shuffle == 1, blocksize);
        if (!out.empty()) return out;
      }
      out.resize(raw.size() + BLOSC_MAX_OVERHEAD);
      const int n = blosc_compress_ctx(clevel, shuffle, typesize, raw.size(), raw.data(),
                                       out.data(), out.size(), cname.c_str(), blocksize, 1);
      if (n <= 0) throw Error("blosc compression with " + cname + " failed");
      out.resize(static_cast<size_t>(n));
      return out;
    }
  }
  return out;
}

namespace {
// Checks a blosc frame before libblosc reads it: header sizes must agree with
// the bytes we hold and with what the array expects.
void check_blosc(std::span<const std::byte> encoded, size_t expected, const std::string& where) {
  size_t nbytes = 0;
  if (encoded.size() < BLOSC_MIN_HEADER_LENGTH ||
      blosc_cbuffer_validate(encoded.data(), encoded.size(), &nbytes) != 0) {
    throw Error(where + ": corrupt blosc chunk");
  }
  size_t nb = 0, cbytes = 0, bs = 0;
  blosc_cbuffer_sizes(encoded.data(), &nb, &cbytes, &bs);
  if (cbytes != encoded.size() || nbytes != expected) {
    throw Error(where + ": blosc chunk holds " + std::to_string(nbytes) + " bytes in " +
                std::to_string(cbytes) + ", expected " + std::to_string(expected) + " in " +
                std::to_string(encoded.size()));
  }
}
}  // namespace

void Codec::decompress(std::span<const std::byte> encoded, std::span<std::byte> out,
                       const std::string& where) const {
  switch (kind) {
    case Kind::kNone:
      if (encoded.size() != out.size()) throw Error(where + ": chunk has the wrong size");
      std::memcpy(out.data(), encoded.data(), out.size());
      return;
    case Kind::kZstd: {
      const char* problem = nullptr;
      const size_t n = codec::zstd_decode(encoded, out, &problem);
      if (problem || n != out.size()) throw Error(where + ": corrupt zstd chunk");
      return;
    }
    case Kind::kBlosc: {
      check_blosc(encoded, out.size(), where);
      if (codec::BloscHeader::parse(encoded).read_here()) {
        read_blosc_bytes(codec::BloscFrameBytes::whole(encoded), 0, out, where);
        return;
      }
      const int n = blosc_decompress_ctx(encoded.data(), out.data(), out.size(), 1);
      if (n < 0 || static_cast<size_t>(n) != out.size()) {
        throw Error(where + ": corrupt blosc chunk");
      }
      return;
    }
  }
}

void Codec::decompress_items(std::span<const std::byte> encoded, size_t start, size_t typesize,
                             std::span<std::byte> out, const std::string& where) const {
  if (kind != Kind::kBlosc) {
    // zstd and raw chunks have no block index: decode the prefix we need.
    std::vector<std::byte> all((start * typesize) + out.size());
    if (kind == Kind::kNone) {
      if (encoded.size() < all.size()) throw Error(where + ": chunk is too short");
      std::memcpy(out.data(), encoded.data() + start * typesize, out.size());
      return;
    }
    const char* problem = nullptr;
    if (!codec::zstd_decode_prefix(encoded, all, &problem)) throw Error(where + ": " + problem);
    std::memcpy(out.data(), all.data() + start * typesize, out.size());
    return;
  }
  if (encoded.size() < BLOSC_MIN_HEADER_LENGTH) throw Error(where + ": corrupt blosc chunk");
  const codec::BloscHeader h = codec::BloscHeader::parse(encoded);
  if (h.cbytes != encoded.size() || (start * typesize) + out.size() > h.nbytes) {
    throw Error(where + ": blosc chunk has the wrong size");
  }
  if (h.typesize != typesize) {
    throw Error(where + ": blosc chunk has item size " + std::to_string(h.typesize));
  }
  if (h.read_here()) {
    read_blosc_bytes(codec::BloscFrameBytes::whole(encoded), start * typesize, out, where);
    return;
  }
  const int n = blosc_getitem(encoded.data(), static_cast<int>(start),
                              static_cast<int>(out.size() / typesize), out.data());
  if (n < 0 || static_cast<size_t>(n) != out.size()) throw Error(where + ": corrupt blosc chunk");
}

void read_blosc_bytes(const codec::BloscFrameBytes& frame, size_t first, std::span<std::byte> out,
                      const std::string& where) {
  try {
    codec::blosc_read_bytes(frame, first, out);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what(), e.kind());
  }
}

}  // namespace pixeldrill::zarr

#include "codec/inflate.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "codec/block_crc.h"
#include "codec/vector_state.h"

namespace pixeldrill::codec {
namespace {

struct LibdeflateFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// One decompressor per thread: allocation costs more than a small chunk.
libdeflate_decompressor* thread_libdeflate() {
  thread_local std::unique_ptr<libdeflate_decompressor, LibdeflateFree> d(
      libdeflate_alloc_decompressor());
  if (!d) throw CodecError("libdeflate: out of memory");
  return d.get();
}

inflate_state& thread_isal() {
  thread_local auto state = std::make_unique<inflate_state>();
  return *state;
}

size_t zlib_inflate(std::span<const std::byte> in, std::span<std::byte> out, size_t stop_at,
                    bool whole) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw CodecError("zlib: inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(whole ? out.size() : stop_at);
  int rc = inflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc == Z_STREAM_END) return produced;
  if (!whole && produced >= stop_at && (rc == Z_BUF_ERROR || rc == Z_OK)) return produced;
  if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
    throw CodecError("inflate (zlib): output larger than the expected " +
                     std::to_string(out.size()) + " bytes");
  }
  throw CodecError(std::string("inflate (zlib): corrupt or truncated stream (") +
                   (zs.msg ? zs.msg : "code " + std::to_string(rc)) + ")");
}

size_t isal_inflate_impl(std::span<const std::byte> in, std::span<std::byte> out, size_t stop_at,
                         bool whole) {
  inflate_state& st = thread_isal();
  isal_inflate_init(&st);
  st.crc_flag = ISAL_ZLIB;
  st.next_in = reinterpret_cast<uint8_t*>(const_cast<std::byte*>(in.data()));
  st.avail_in = static_cast<uint32_t>(in.size());
  if (!whole) {
    // Stopping early never reaches the adler32 trailer, so skip computing it:
    // check the 2-byte zlib header here and inflate the raw deflate data.
    const auto* h = reinterpret_cast<const uint8_t*>(in.data());
    if (in.size() < 2 || (h[0] & 0x0f) != 8 || ((h[0] << 8) | h[1]) % 31 != 0 || (h[1] & 0x20)) {
      throw CodecError("inflate (isa-l): not a zlib stream (bad header)");
    }
    st.crc_flag = ISAL_DEFLATE;
    st.next_in += 2;
    st.avail_in -= 2;
  }
  st.next_out = reinterpret_cast<uint8_t*>(out.data());
  st.avail_out = static_cast<uint32_t>(whole ? out.size() : stop_at);
  const int rc = whole ? isal_inflate_stateless(&st) : isal_inflate(&st);
  clear_upper_vector_state();
  const size_t produced = st.total_out;
  if (rc != ISAL_DECOMP_OK) {
    if (rc == ISAL_OUT_OVERFLOW) {
      throw CodecError("inflate (isa-l): output larger than the expected " +
                       std::to_string(out.size()) + " bytes");
    }
    throw CodecError("inflate (isa-l): corrupt or truncated stream (code " + std::to_string(rc) +
                     ")");
  }
  if (whole) return produced;
  if (produced < stop_at && st.block_state != ISAL_BLOCK_FINISH) {
    throw CodecError("inflate (isa-l): stream ended after " + std::to_string(produced) +
                     " bytes, before the needed " + std::to_string(stop_at));
  }
  if (produced < stop_at) {
    throw CodecError("inflate (isa-l): stream ended after " + std::to_string(produced) +
                     " bytes, before the needed " + std::to_string(stop_at));
  }
  return produced;
}

size_t libdeflate_inflate(std::span<const std::byte> in, std::span<std::byte> out) {
  size_t produced = 0;
  const auto rc = libdeflate_zlib_decompress(thread_libdeflate(), in.data(), in.size(), out.data(),
                                             out.size(), &produced);
  if (rc == LIBDEFLATE_SUCCESS) return produced;
  if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
    throw CodecError("inflate (libdeflate): output larger than the expected " +
                     std::to_string(out.size()) + " bytes");
  }
  throw CodecError("inflate (libdeflate): corrupt or truncated stream (code " +
                   std::to_string(static_cast<int>(rc)) + ")");
}

}  // namespace

const char* inflater_name(Inflater engine) {
  switch (engine) {
    case Inflater::kZlib:
      return "zlib";
    case Inflater::kLibdeflate:
      return "libdeflate";
    case Inflater::kIsal:
      return "isal";
    case Inflater::kAuto:
      return "auto";
  }
  return "?";
}

Inflater parse_inflater(const std::string& name) {
  for (Inflater e : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal, Inflater::kAuto}) {
    if (name == inflater_name(e)) return e;
  }
  throw Error("inflater '" + name + "' is not one of zlib, libdeflate, isal, auto");
}

size_t inflate_all(Inflater engine, std::span<const std::byte> in, std::span<std::byte> out) {
  switch (engine) {
    case Inflater::kZlib:
      return zlib_inflate(in, out, out.size(), true);
    case Inflater::kLibdeflate:
    case Inflater::kAuto:
      return libdeflate_inflate(in, out);
    case Inflater::kIsal:
      return isal_inflate_impl(in, out, out.size(), true);
  }
  return 0;
}

size_t inflate_prefix(Inflater engine, std::span<const std::byte> in, std::span<std::byte> out,
                      size_t prefix) {
  if (prefix > out.size()) throw CodecError("inflate: requested prefix exceeds output buffer");
  size_t produced = 0;
  switch (engine) {
    case Inflater::kZlib:
      produced = zlib_inflate(in, out, prefix, false);
      break;
    case Inflater::kLibdeflate:
      produced = libdeflate_inflate(in, out);
      break;
    case Inflater::kIsal:
    case Inflater::kAuto:
      produced = isal_inflate_impl(in, out, prefix, false);
      break;
  }
  if (produced < prefix) {
    throw CodecError("inflate: stream holds " + std::to_string(produced) +
                     " bytes, fewer than the needed " + std::to_string(prefix));
  }
  return produced;
}

namespace {

void check_zlib_header(const std::byte* data, size_t size) {
  const auto* h = reinterpret_cast<const uint8_t*>(data);
  if (size < 2 || (h[0] & 0x0f) != 8 || ((h[0] << 8) | h[1]) % 31 != 0 || (h[1] & 0x20)) {
    throw CodecError("inflate: not a zlib stream (bad header)");
  }
}

}  // namespace

size_t inflate_prefix_streaming(Inflater engine, const StreamReader& read, uint64_t stored_size,
                                uint64_t first_read, std::vector<std::byte>& input,
                                std::span<std::byte> out, size_t prefix, uint64_t* bytes_read) {
  if (prefix > out.size()) throw CodecError("inflate: requested prefix exceeds output buffer");
  input.resize(stored_size);
  uint64_t fed = 0;
  // Next block of compressed input: the estimate first, then a quarter of the stream.
  auto next_block = [&]() -> std::span<std::byte> {
    const uint64_t want = fed == 0 ? std::max<uint64_t>(first_read, 64)
                                   : std::max<uint64_t>(stored_size / 4, 64 * 1024);
    // Whole 64 KiB blocks, so each read can be checked against the index's CRC-32C.
    const uint64_t end = (fed + want + kCrcBlockSize - 1) / kCrcBlockSize * kCrcBlockSize;
    const uint64_t n = std::min(end, stored_size) - fed;
    auto block = std::span<std::byte>(input).subspan(fed, n);
    read(fed, block);
    fed += n;
    return block;
  };
  size_t produced = 0;
  if (engine == Inflater::kZlib) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) throw CodecError("zlib: inflateInit failed");
    // A read that fails its checksum throws from inside the loop.
    struct End {
      z_stream* zs;
      ~End() { inflateEnd(zs); }
    } end{&zs};
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(prefix);
    int rc = Z_OK;
    while (zs.total_out < prefix && fed < stored_size) {
      auto block = next_block();
      zs.next_in = reinterpret_cast<Bytef*>(block.data());
      zs.avail_in = static_cast<uInt>(block.size());
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
      if (rc == Z_STREAM_END) break;
    }
    produced = zs.total_out;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      throw CodecError("inflate (zlib): corrupt stream (code " + std::to_string(rc) + ")");
    }
  } else if (engine == Inflater::kIsal || engine == Inflater::kAuto) {
    inflate_state& st = thread_isal();
    isal_inflate_init(&st);
    st.crc_flag = ISAL_DEFLATE;
    st.next_out = reinterpret_cast<uint8_t*>(out.data());
    st.avail_out = static_cast<uint32_t>(prefix);
    bool header = true;
    while (st.total_out < prefix && fed < stored_size && st.block_state != ISAL_BLOCK_FINISH) {
      auto block = next_block();
      size_t skip = 0;
      if (header) {
        check_zlib_header(block.data(), block.size());
        skip = 2;
        header = false;
      }
      st.next_in = reinterpret_cast<uint8_t*>(block.data() + skip);
      st.avail_in = static_cast<uint32_t>(block.size() - skip);
      const int rc = isal_inflate(&st);
      clear_upper_vector_state();
      if (rc != ISAL_DECOMP_OK) {
        throw CodecError("inflate (isa-l): corrupt stream (code " + std::to_string(rc) + ")");
      }
    }
    produced = st.total_out;
  } else {
    throw CodecError(std::string("inflate: ") + inflater_name(engine) + " cannot stream");
  }
  if (bytes_read) *bytes_read = fed;
  if (produced < prefix) {
    throw CodecError("inflate: stream holds " + std::to_string(produced) +
                     " bytes, fewer than the needed " + std::to_string(prefix));
  }
  return produced;
}

}  // namespace pixeldrill::codec

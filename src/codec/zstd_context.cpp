#include "codec/zstd_context.h"

#include <zstd.h>

#include <memory>

namespace pixeldrill::codec {
namespace {

struct FreeContext {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// This thread's context; nullptr with `problem` set when none could be made.
ZSTD_DCtx* thread_context(const char** problem) {
  thread_local std::unique_ptr<ZSTD_DCtx, FreeContext> context(ZSTD_createDCtx());
  if (!context) *problem = "out of memory for a zstd context";
  return context.get();
}

struct FreeCompressionContext {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

}  // namespace

size_t zstd_encode(std::span<const std::byte> in, std::span<std::byte> out, int level) {
  thread_local std::unique_ptr<ZSTD_CCtx, FreeCompressionContext> context(ZSTD_createCCtx());
  if (!context) return 0;
  const size_t n =
      ZSTD_compressCCtx(context.get(), out.data(), out.size(), in.data(), in.size(), level);
  return ZSTD_isError(n) ? 0 : n;
}

size_t zstd_decode(std::span<const std::byte> in, std::span<std::byte> out, const char** problem) {
  ZSTD_DCtx* context = thread_context(problem);
  if (!context) return 0;
  const size_t n = ZSTD_decompressDCtx(context, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    *problem = "corrupt zstd data";
    return 0;
  }
  return n;
}

bool zstd_decode_prefix(std::span<const std::byte> in, std::span<std::byte> out,
                        const char** problem) {
  ZSTD_DCtx* context = thread_context(problem);
  if (!context) return false;
  ZSTD_DCtx_reset(context, ZSTD_reset_session_only);
  ZSTD_inBuffer source{in.data(), in.size(), 0};
  ZSTD_outBuffer target{out.data(), out.size(), 0};
  while (target.pos < target.size) {
    const size_t before = target.pos;
    const size_t r = ZSTD_decompressStream(context, &target, &source);
    if (ZSTD_isError(r)) {
      *problem = "corrupt zstd chunk";
      return false;
    }
    if (target.pos < target.size &&
        (r == 0 || (source.pos == source.size && target.pos == before))) {
      *problem = "zstd chunk is too short";
      return false;
    }
  }
  return true;
}

}  // namespace pixeldrill::codec

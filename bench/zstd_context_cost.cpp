// What a zstd context costs to make on this machine, against decoding a
// 32 KiB blosc block with a reused one (docs/serve.md, "zstd contexts"):
// making a context runs CPUID, which traps under a hypervisor.
//   build/zstd_context_cost
#include <cpuid.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

template <class F>
double microseconds_each(int n, F f) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  const std::chrono::duration<double, std::micro> d = std::chrono::steady_clock::now() - t0;
  return d.count() / n;
}

}  // namespace

int main() {
  constexpr int kRuns = 10000;
  unsigned a = 0, b = 0, c = 0, d = 0;
  const double cpuid = microseconds_each(kRuns, [&] { __cpuid(0, a, b, c, d); });
  const double context = microseconds_each(kRuns, [] { ZSTD_freeDCtx(ZSTD_createDCtx()); });
  // A 32 KiB block of smooth 16-bit values at blosc-zstd:1 (zstd level 1).
  std::vector<unsigned char> raw(32768), packed(ZSTD_compressBound(raw.size())), out(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<unsigned char>((i * 7 / 100) & 0xff);
  packed.resize(ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 1));
  ZSTD_DCtx* reused = ZSTD_createDCtx();
  const double decode = microseconds_each(kRuns, [&] {
    ZSTD_decompressDCtx(reused, out.data(), out.size(), packed.data(), packed.size());
  });
  const double one_shot = microseconds_each(
      kRuns, [&] { ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size()); });
  ZSTD_freeDCtx(reused);
  if (std::printf("cpuid: %.2f us; ZSTD_createDCtx + ZSTD_freeDCtx: %.2f us\n"
                  "32 KiB block: %.2f us with a reused context, %.2f us with ZSTD_decompress\n",
                  cpuid, context, decode, one_shot) < 0) {
    return 1;
  }
  return 0;
}

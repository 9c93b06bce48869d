#pragma once
// zstd through one reused context per thread. ZSTD_decompress and
// ZSTD_compress make and free a context on every call, and making one runs
// CPUID twice (zstd checks for BMI2); under a hypervisor CPUID traps: 13 us
// per context on the benchmark machine, a 32 KiB block decoded in 46 us
// instead of 32 (bench/zstd_context_cost.cpp, docs/serve.md "zstd contexts").
#include <cstddef>
#include <span>

namespace pixeldrill::codec {

// Decodes one or more whole zstd frames into `out`; returns the decoded size,
// or 0 with `*problem` set when the input is corrupt or decodes to more than
// out.size() bytes.
size_t zstd_decode(std::span<const std::byte> in, std::span<std::byte> out, const char** problem);

// Decodes the first out.size() bytes of the zstd stream `in` (stops there);
// false with `*problem` set when the stream is corrupt or shorter.
bool zstd_decode_prefix(std::span<const std::byte> in, std::span<std::byte> out,
                        const char** problem);

// ZSTD_compress with one context per thread: the same bytes (zstd's
// ZSTD_compressCCtx contract), without a context made per call. Returns the
// compressed size, or 0 when it does not fit in `out` or fails.
size_t zstd_encode(std::span<const std::byte> in, std::span<std::byte> out, int level);

}  // namespace pixeldrill::codec

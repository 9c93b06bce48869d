#pragma once
// zstd decoding through one reused context per thread. ZSTD_decompress makes
// and frees a context on every call, and making one runs CPUID twice (zstd
// checks for BMI2); under a hypervisor CPUID traps: 6.4 us each on the
// benchmark machine, 13 us per call, as much as inflating a 32 KiB block
// (docs/serve.md, "zstd contexts").
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

}  // namespace pixeldrill::codec

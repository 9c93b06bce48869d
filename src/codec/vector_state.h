#pragma once
// isa-l's hand-written AVX2 / AVX-512 routines (crc32_iscsi_by16_10,
// adler32_avx2_4 and others) return without `vzeroupper`, leaving the upper
// halves of the vector registers dirty. Until something clears them, every
// SSE instruction the thread runs (all of pixeldrill's floating point, built
// for the x86-64 baseline) is slowed by the merge with that stale state: a
// server answering 10-year points spent ~30% more CPU per request after each
// chunk's CRC check (docs/serve.md, "Dirty vector registers"). Call this after
// every isa-l call.
namespace pixeldrill::codec {

// `vzeroupper` on CPUs with AVX; nothing elsewhere.
void clear_upper_vector_state();

}  // namespace pixeldrill::codec

// isa-l's AVX2 / AVX-512 routines return with the upper halves of the vector
// registers in use; pixeldrill's calls into isa-l leave them cleared, or every
// SSE instruction after them runs slower (codec/vector_state.h). The CPU says
// which register states are in use through XGETBV(1) (XINUSE).
#include <cpuid.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "codec/block_crc.h"
#include "codec/inflate.h"

namespace {

// XINUSE bits: 2 = upper halves of YMM0-15, 6 = upper halves of ZMM0-15.
constexpr uint64_t kUpperStates = (1u << 2) | (1u << 6);

bool have_xinuse() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX)) return false;
  if (__get_cpuid_max(0, nullptr) < 0xd) return false;
  __cpuid_count(0xd, 1, a, b, c, d);
  return (a & (1u << 2)) != 0;  // XGETBV with ECX = 1
}

uint64_t xinuse() {
  uint32_t lo = 0, hi = 0;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
  return (uint64_t{hi} << 32) | lo;
}

void dirty_upper_state() { asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0" ::: "xmm0"); }

TEST(VectorState, CrcChecksLeaveTheUpperVectorRegistersCleared) {
  if (!have_xinuse()) GTEST_SKIP() << "no AVX or no XGETBV(1) on this CPU";
  dirty_upper_state();
  ASSERT_NE(xinuse() & kUpperStates, 0u) << "the probe cannot see a dirty state";
  std::vector<std::byte> data(256 * 1024, std::byte{0x5a});
  const uint32_t crc = pixeldrill::codec::crc32c(data);
  EXPECT_EQ(xinuse() & kUpperStates, 0u);
  EXPECT_NE(crc, 0u);
}

TEST(VectorState, IsalInflateLeavesTheUpperVectorRegistersCleared) {
  if (!have_xinuse()) GTEST_SKIP() << "no AVX or no XGETBV(1) on this CPU";
  std::vector<unsigned char> raw(1 << 20);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<unsigned char>(i * 7 % 251);
  uLongf packed_size = compressBound(raw.size());
  std::vector<unsigned char> packed(packed_size);
  ASSERT_EQ(compress(packed.data(), &packed_size, raw.data(), raw.size()), Z_OK);
  std::vector<std::byte> out(raw.size());
  const auto in = std::as_bytes(std::span(packed.data(), packed_size));
  using pixeldrill::codec::Inflater;
  dirty_upper_state();
  EXPECT_EQ(pixeldrill::codec::inflate_all(Inflater::kIsal, in, out), raw.size());
  EXPECT_EQ(xinuse() & kUpperStates, 0u) << "whole stream (adler32 checked)";
  dirty_upper_state();
  EXPECT_GE(pixeldrill::codec::inflate_prefix(Inflater::kIsal, in, out, 4096), 4096u);
  EXPECT_EQ(xinuse() & kUpperStates, 0u) << "stopped early";
  EXPECT_EQ(std::memcmp(out.data(), raw.data(), 4096), 0);
}

}  // namespace

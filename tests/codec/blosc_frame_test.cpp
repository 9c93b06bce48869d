// Blosc frames with zstd blocks are decoded by pixeldrill itself (one zstd
// context per thread); every byte must equal what libblosc decodes.
#include "codec/blosc_frame.h"

#include <blosc.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace pixeldrill::codec {
namespace {

// Smooth values with runs of fill, like an SST field, `typesize` bytes each.
std::vector<std::byte> field(size_t items, size_t typesize) {
  std::mt19937 rng(11);
  std::vector<std::byte> out(items * typesize);
  uint64_t x = 0x1234;
  for (size_t i = 0; i < items; ++i) {
    x = rng() % 5 == 0 ? ~uint64_t{0} : x + rng() % 9;
    std::memcpy(out.data() + i * typesize, &x, typesize);
  }
  return out;
}

std::vector<std::byte> blosc_frame(std::span<const std::byte> raw, size_t typesize, int shuffle,
                                   const char* compressor, size_t blocksize, int clevel = 5) {
  std::vector<std::byte> out(raw.size() + BLOSC_MAX_OVERHEAD);
  const int n = blosc_compress_ctx(clevel, shuffle, typesize, raw.size(), raw.data(), out.data(),
                                   out.size(), compressor, blocksize, 1);
  EXPECT_GT(n, 0);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::vector<std::byte> libblosc_decode(std::span<const std::byte> frame, size_t size) {
  std::vector<std::byte> out(size);
  EXPECT_EQ(blosc_decompress_ctx(frame.data(), out.data(), out.size(), 1), static_cast<int>(size));
  return out;
}

std::vector<std::byte> read_here(std::span<const std::byte> frame, size_t first, size_t size) {
  std::vector<std::byte> out(size);
  blosc_read_bytes(frame, first, out);
  return out;
}

// A zstd frame of byte-shuffled smooth values, as libblosc writes it, and
// where its block-offset table ends.
struct ZstdFrame {
  std::vector<std::byte> raw, frame;
  size_t nblocks = 0, table_end = 0;
};
ZstdFrame zstd_frame(size_t typesize, size_t items, size_t blocksize) {
  ZstdFrame z;
  z.raw = field(items, typesize);
  z.frame = blosc_frame(z.raw, typesize, BLOSC_SHUFFLE, "zstd", blocksize);
  const BloscHeader h = BloscHeader::parse(z.frame);
  z.nblocks = (h.nbytes + h.blocksize - 1) / h.blocksize;
  z.table_end = BloscHeader::kSize + z.nblocks * 4;
  return z;
}

// A partial read holds the header and block offsets and one run of blocks,
// not the whole frame: the bytes decoded from them are the same, and a range
// whose block is not held is an error, never other bytes.
TEST(BloscFrame, HeadAndOneRunOfBlocksDecodeLikeTheWholeFrame) {
  const size_t blocksize = 4096;
  const ZstdFrame z = zstd_frame(2, 40001, blocksize);
  std::vector<size_t> starts;
  for (size_t b = 0; b < z.nblocks; ++b) {
    uint32_t at = 0;
    std::memcpy(&at, z.frame.data() + BloscHeader::kSize + b * 4, 4);
    starts.push_back(at);
  }
  auto block_end = [&](size_t b) {
    size_t to = z.frame.size();
    for (size_t s : starts) {
      if (s > starts[b] && s < to) to = s;
    }
    return to;
  };
  const std::span<const std::byte> head(z.frame.data(), z.table_end);
  for (size_t b : {size_t{0}, size_t{7}, z.nblocks - 1}) {
    const size_t from = starts[b], to = block_end(b);
    const BloscFrameBytes held{head, std::span(z.frame).subspan(from, to - from), from,
                               z.frame.size()};
    const size_t first = b * blocksize + 10, size = std::min<size_t>(700, z.raw.size() - first);
    std::vector<std::byte> out(size);
    blosc_read_bytes(held, first, out);
    EXPECT_EQ(out, std::vector<std::byte>(z.raw.begin() + first, z.raw.begin() + first + size))
        << "block " << b;
    // The next block's bytes are not held.
    if (b + 1 < z.nblocks) {
      std::vector<std::byte> beyond(16);
      try {
        blosc_read_bytes(held, (b + 1) * blocksize, beyond);
        ADD_FAILURE() << "block " << b + 1 << " decoded without its bytes";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("were not read"), std::string::npos) << e.what();
      }
    }
  }
}

// Blosc writes blocks as its threads finish them, so they may lie in any
// order: a block ends at the next-higher start, not at the next block's. The
// same frame with its blocks stored in reverse decodes, block by block from
// just [block_start, block_end), to the same bytes (libblosc agrees).
TEST(BloscFrame, BlocksStoredInAnyOrderEndAtTheNextHigherStart) {
  const size_t blocksize = 4096;
  const ZstdFrame z = zstd_frame(4, 9000, blocksize);
  const auto in_order = BloscFrameBytes::whole(z.frame);
  std::vector<std::byte> reversed(z.frame.begin(), z.frame.begin() + z.table_end);
  for (size_t b = z.nblocks; b-- > 0;) {
    const uint32_t at = static_cast<uint32_t>(reversed.size());
    std::memcpy(reversed.data() + BloscHeader::kSize + b * 4, &at, 4);
    reversed.insert(reversed.end(), z.frame.begin() + in_order.block_start(b),
                    z.frame.begin() + in_order.block_end(b, z.nblocks));
  }
  ASSERT_EQ(reversed.size(), z.frame.size());
  EXPECT_EQ(libblosc_decode(reversed, z.raw.size()), z.raw);
  const auto stored = BloscFrameBytes::whole(reversed);
  const std::span<const std::byte> head(reversed.data(), z.table_end);
  for (size_t b = 0; b < z.nblocks; ++b) {
    const size_t from = stored.block_start(b), to = stored.block_end(b, z.nblocks);
    EXPECT_EQ(to, b == 0 ? reversed.size() : stored.block_start(b - 1)) << "block " << b;
    const BloscFrameBytes held{head, std::span(reversed).subspan(from, to - from), from,
                               reversed.size()};
    const size_t first = b * blocksize, size = std::min<size_t>(blocksize, z.raw.size() - first);
    std::vector<std::byte> out(size);
    blosc_read_bytes(held, first, out);
    EXPECT_EQ(out, std::vector<std::byte>(z.raw.begin() + first, z.raw.begin() + first + size))
        << "block " << b;
  }
}

TEST(BloscFrame, EveryZstdFrameLibbloscWritesDecodesHereToTheSameBytes) {
  for (int split : {BLOSC_FORWARD_COMPAT_SPLIT, BLOSC_ALWAYS_SPLIT}) {
    blosc_set_splitmode(split);
    for (size_t typesize : {1, 2, 4, 8}) {
      for (int shuffle : {BLOSC_NOSHUFFLE, BLOSC_SHUFFLE}) {
        // 20 items: stored uncompressed (memcpyed); 40,001: a partial last block.
        for (size_t items : {20, 4096, 40001}) {
          for (size_t blocksize : {0, 4096, 32768}) {
            const auto raw = field(items, typesize);
            const auto frame = blosc_frame(raw, typesize, shuffle, "zstd", blocksize);
            const std::string what = "split " + std::to_string(split) + " typesize " +
                                     std::to_string(typesize) + " shuffle " +
                                     std::to_string(shuffle) + " items " + std::to_string(items) +
                                     " blocksize " + std::to_string(blocksize);
            ASSERT_TRUE(BloscHeader::parse(frame).read_here()) << what;
            ASSERT_EQ(libblosc_decode(frame, raw.size()), raw) << what;
            EXPECT_EQ(read_here(frame, 0, raw.size()), raw) << what;
            // Ranges inside one block, across blocks, at the partial end, and
            // not on item boundaries.
            for (auto [first, size] : {std::pair<size_t, size_t>{0, 1},
                                       {3, 17},
                                       {4000, 300},
                                       {raw.size() - 5, 5},
                                       {raw.size() / 3, raw.size() / 2}}) {
              if (first + size > raw.size()) continue;
              EXPECT_EQ(read_here(frame, first, size),
                        std::vector<std::byte>(raw.begin() + first, raw.begin() + first + size))
                  << what << " bytes " << first << "+" << size;
            }
          }
        }
      }
    }
  }
  blosc_set_splitmode(BLOSC_FORWARD_COMPAT_SPLIT);
}

TEST(BloscFrame, BlocksOverOneMebibyteDecodeToTheSameBytes) {
  // Such blocks are decoded into a buffer of their own, not the one each
  // thread keeps.
  const auto raw = field(700000, 4);
  const auto frame = blosc_frame(raw, 4, BLOSC_SHUFFLE, "zstd", size_t{2} << 20);
  ASSERT_EQ(BloscHeader::parse(frame).blocksize, size_t{2} << 20);
  EXPECT_EQ(read_here(frame, 0, raw.size()), raw);
  EXPECT_EQ(read_here(frame, (size_t{2} << 20) - 3, 10),
            std::vector<std::byte>(raw.begin() + (2 << 20) - 3, raw.begin() + (2 << 20) + 7));
}

// Random bytes: zstd cannot shrink them, so blocks are stored as they are
// or the whole frame becomes a stored copy.
std::vector<std::byte> noise(size_t size) {
  std::mt19937 rng(5);
  std::vector<std::byte> out(size);
  for (auto& b : out) b = static_cast<std::byte>(rng());
  return out;
}

TEST(BloscFrame, FramesWrittenHereAreTheBytesLibbloscWrites) {
  for (size_t typesize : {1, 2, 4, 8}) {
    for (bool shuffle : {false, true}) {
      for (int clevel : {0, 1, 5, 9}) {
        for (size_t size : {0, 7, 127, 128, 5000, 40002, 300000}) {
          for (size_t blocksize : {size_t{100}, size_t{4096}, size_t{32768}, size_t{1} << 20}) {
            for (bool random : {false, true}) {
              if (clevel == 9 && size > 40002) continue;  // slow, and nothing new
              const auto raw = random ? noise(size) : field(size / typesize, typesize);
              const auto mine = blosc_zstd_encode(raw, typesize, clevel, shuffle, blocksize);
              const auto theirs = blosc_frame(raw, typesize, shuffle ? BLOSC_SHUFFLE : 0, "zstd",
                                              blocksize, clevel);
              ASSERT_EQ(mine, theirs)
                  << "typesize " << typesize << " shuffle " << shuffle << " clevel " << clevel
                  << " size " << raw.size() << " blocksize " << blocksize << " random " << random;
              if (!raw.empty()) {
                EXPECT_EQ(read_here(mine, 0, raw.size()), raw);
              }
            }
          }
        }
      }
    }
  }
}

TEST(BloscFrame, SettingsOutsideTheEncoderAreLeftToLibblosc) {
  const auto raw = field(1000, 2);
  EXPECT_TRUE(blosc_zstd_encode(raw, 2, 5, true, 0).empty()) << "automatic block size";
  EXPECT_TRUE(blosc_zstd_encode(raw, 2, 10, true, 4096).empty()) << "clevel 10";
  EXPECT_FALSE(blosc_zstd_encode(raw, 2, 5, true, 4096).empty());
}

TEST(BloscFrame, OtherCompressorsAndBitShuffleAreLeftToLibblosc) {
  const auto raw = field(40000, 2);
  EXPECT_FALSE(BloscHeader::parse(blosc_frame(raw, 2, BLOSC_SHUFFLE, "lz4", 0)).read_here());
  EXPECT_FALSE(BloscHeader::parse(blosc_frame(raw, 2, BLOSC_BITSHUFFLE, "zstd", 0)).read_here());
  EXPECT_TRUE(BloscHeader::parse(blosc_frame(raw, 2, BLOSC_SHUFFLE, "zstd", 0)).read_here());
}

TEST(BloscFrame, DamagedFramesAreErrorsNotWrongBytes) {
  const auto raw = field(40000, 2);
  const auto good = blosc_frame(raw, 2, BLOSC_SHUFFLE, "zstd", 8192);
  auto expect_error = [&](std::vector<std::byte> frame, const std::string& what) {
    EXPECT_THROW(read_here(frame, 0, raw.size()), Error) << what;
  };
  auto put32 = [](std::vector<std::byte>& f, size_t at, uint32_t v) { std::memcpy(&f[at], &v, 4); };
  auto frame = good;
  put32(frame, 16, static_cast<uint32_t>(good.size()));  // first block starts past the end
  expect_error(frame, "block offset");
  frame = good;
  uint32_t start = 0;
  std::memcpy(&start, &good[16], 4);
  put32(frame, start, static_cast<uint32_t>(good.size()));  // its stream runs past the end
  expect_error(frame, "stream size");
  frame = good;
  put32(frame, start, 100);  // a stream cut short: zstd stops before the block is whole
  expect_error(frame, "short stream");
  frame = good;
  frame.resize(good.size() - 1);  // header says one byte more
  expect_error(frame, "truncated");
  frame = good;
  put32(frame, 8, 0);  // block size 0
  expect_error(frame, "block size");
  EXPECT_THROW(read_here(good, raw.size() - 1, 2), Error) << "bytes past the end";
}

}  // namespace
}  // namespace pixeldrill::codec

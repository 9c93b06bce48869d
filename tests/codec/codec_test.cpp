#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <vector>

#include "codec/block_crc.h"
#include "codec/chunk_pipeline.h"
#include "codec/fletcher32.h"
#include "codec/inflate.h"
#include "codec/shuffle.h"

namespace pixeldrill::codec {
namespace {

std::vector<std::byte> as_bytes(const std::vector<int16_t>& v) {
  std::vector<std::byte> out(v.size() * 2);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::vector<int16_t> smooth_field(size_t n) {
  std::mt19937 rng(7);
  std::vector<int16_t> v(n);
  int16_t x = 1000;
  for (auto& e : v) {
    x = static_cast<int16_t>(x + static_cast<int>(rng() % 7) - 3);
    e = (rng() % 3 == 0) ? int16_t{-32768} : x;
  }
  return v;
}

std::vector<std::byte> zlib_compress(std::span<const std::byte> in, int level) {
  uLongf size = compressBound(in.size());
  std::vector<std::byte> out(size);
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(in.data()), in.size(), level),
            Z_OK);
  out.resize(size);
  return out;
}

// Serves reads of `stored` and records each one's (offset, length).
StreamReader recording_reader(const std::vector<std::byte>& stored,
                              std::vector<std::pair<uint64_t, uint64_t>>& reads) {
  return [&stored, &reads](uint64_t at, std::span<std::byte> out) {
    std::memcpy(out.data(), stored.data() + at, out.size());
    reads.emplace_back(at, out.size());
  };
}

// int16 values as an HDF5 chunk with shuffle + deflate 3 stores them.
std::vector<std::byte> shuffled_deflated(const std::vector<int16_t>& values) {
  const auto raw = as_bytes(values);
  std::vector<std::byte> shuffled(raw.size());
  shuffle_bytes(raw, shuffled, 2);
  return zlib_compress(shuffled, 3);
}

TEST(Codec, ShuffleThenUnshuffleRestoresBytesAndPlacesBytePlanes) {
  const auto raw = as_bytes({0x0102, 0x0304, 0x0506});
  std::vector<std::byte> shuffled(raw.size()), back(raw.size());
  shuffle_bytes(raw, shuffled, 2);
  // Little-endian low bytes first: 02 04 06 then high bytes 01 03 05.
  EXPECT_EQ(shuffled[0], std::byte{0x02});
  EXPECT_EQ(shuffled[2], std::byte{0x06});
  EXPECT_EQ(shuffled[3], std::byte{0x01});
  unshuffle_bytes(shuffled, back, 2);
  EXPECT_EQ(back, raw);
  std::byte e[2];
  gather_shuffled(shuffled.data(), 3, 2, 1, e);
  EXPECT_EQ(e[0], std::byte{0x04});
  EXPECT_EQ(e[1], std::byte{0x03});
  EXPECT_EQ(shuffled_prefix_needed(1, 3, 2), 5u);
}

TEST(Codec, EveryInflaterReproducesZlibCompressedData) {
  const auto raw = as_bytes(smooth_field(300000));
  const auto packed = zlib_compress(raw, 3);
  for (Inflater e : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal}) {
    std::vector<std::byte> out(raw.size());
    EXPECT_EQ(inflate_all(e, packed, out), raw.size()) << inflater_name(e);
    EXPECT_EQ(out, raw) << inflater_name(e);
  }
}

TEST(Codec, PrefixInflateStopsEarlyWithCorrectPrefix) {
  const auto raw = as_bytes(smooth_field(300000));
  const auto packed = zlib_compress(raw, 3);
  for (Inflater e : {Inflater::kZlib, Inflater::kIsal}) {
    std::vector<std::byte> out(raw.size());
    const size_t got = inflate_prefix(e, packed, out, 1000);
    EXPECT_GE(got, 1000u) << inflater_name(e);
    EXPECT_LT(got, raw.size()) << inflater_name(e) << " did not stop early";
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + 1000, raw.begin())) << inflater_name(e);
  }
}

TEST(Codec, StreamingPrefixInflateReadsOnlyTheCompressedBytesItConsumes) {
  const auto raw = as_bytes(smooth_field(300000));
  const auto packed = zlib_compress(raw, 3);
  for (Inflater e : {Inflater::kZlib, Inflater::kIsal, Inflater::kAuto}) {
    uint64_t furthest = 0;
    const StreamReader read = [&](uint64_t at, std::span<std::byte> out) {
      ASSERT_LE(at + out.size(), packed.size());
      std::memcpy(out.data(), packed.data() + at, out.size());
      furthest = std::max<uint64_t>(furthest, at + out.size());
    };
    std::vector<std::byte> input, out(raw.size());
    uint64_t bytes_read = 0;
    const size_t got =
        inflate_prefix_streaming(e, read, packed.size(), 100, input, out, 5000, &bytes_read);
    EXPECT_GE(got, 5000u) << inflater_name(e);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + 5000, raw.begin())) << inflater_name(e);
    EXPECT_EQ(bytes_read, furthest);
    EXPECT_LT(bytes_read, packed.size() / 2) << inflater_name(e) << " read too much";
    // A prefix near the end needs (almost) all of the stream, fetched in several blocks.
    const size_t late = raw.size() - 10;
    EXPECT_GE(inflate_prefix_streaming(e, read, packed.size(), 100, input, out, late, &bytes_read),
              late);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + late, raw.begin())) << inflater_name(e);
  }
}

TEST(Codec, CorruptStreamIsRejectedByEveryInflater) {
  const auto raw = as_bytes(smooth_field(50000));
  auto packed = zlib_compress(raw, 3);
  for (size_t i = 10; i < packed.size(); i += 97) packed[i] ^= std::byte{0x5a};
  for (Inflater e : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal}) {
    std::vector<std::byte> out(raw.size());
    EXPECT_THROW(inflate_all(e, packed, out), CodecError) << inflater_name(e);
  }
  std::vector<std::byte> out(raw.size());
  EXPECT_THROW(inflate_all(Inflater::kZlib, std::span(packed).first(packed.size() / 2), out),
               CodecError);
}

TEST(Codec, DecodedChunkGathersElementsFromShuffledDeflatedPrefix) {
  const auto values = smooth_field(40000);
  const auto raw = as_bytes(values);
  std::vector<std::byte> shuffled(raw.size());
  shuffle_bytes(raw, shuffled, 2);
  const auto packed = zlib_compress(shuffled, 3);
  Pipeline p{.shuffle = 0, .deflate = 1, .fletcher32 = -1, .elem_size = 2};
  for (Inflater e : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal, Inflater::kAuto}) {
    DecodedChunk chunk;
    chunk.decode(p, 0, packed, values.size(), 123, e);
    for (size_t i : {0, 5, 123}) {
      int16_t v;
      chunk.element(i, reinterpret_cast<std::byte*>(&v));
      EXPECT_EQ(v, values[i]) << inflater_name(e) << " element " << i;
    }
  }
  // Filter mask bit 1 set: deflate was skipped for this chunk; stored bytes are shuffled only.
  DecodedChunk plain;
  plain.decode(p, 0b10, shuffled, values.size(), values.size() - 1, Inflater::kZlib);
  int16_t last;
  plain.element(values.size() - 1, reinterpret_cast<std::byte*>(&last));
  EXPECT_EQ(last, values.back());
}

TEST(Codec, Fletcher32MatchesKnownValueAndDetectsDamage) {
  // "abcde" -> Fletcher-32 over big-endian 16-bit words, odd tail byte shifted high.
  const char text[] = "abcde";
  std::vector<std::byte> data(5);
  std::memcpy(data.data(), text, 5);
  const uint32_t sum = hdf5_fletcher32(data);
  // sum1 = 0x6162 + 0x6364 + 0x6500 = 0x129c6 -> 0x29c7 ; sum2 = 0x6162+0xc4c6+0x129c6 -> folded
  uint32_t s1 = 0x6162, s2 = s1;
  s1 += 0x6364;
  s2 += s1;
  s1 = (s1 & 0xffff) + (s1 >> 16);
  s2 = (s2 & 0xffff) + (s2 >> 16);
  s1 += 0x6500;
  s2 += s1;
  s1 = (s1 & 0xffff) + (s1 >> 16);
  s2 = (s2 & 0xffff) + (s2 >> 16);
  s1 = (s1 & 0xffff) + (s1 >> 16);
  s2 = (s2 & 0xffff) + (s2 >> 16);
  EXPECT_EQ(sum, (s2 << 16) | s1);
  for (int i = 0; i < 4; ++i) data.push_back(std::byte((sum >> (8 * i)) & 0xff));
  EXPECT_TRUE(fletcher32_ok(data));
  data[1] ^= std::byte{1};
  EXPECT_FALSE(fletcher32_ok(data));
}

TEST(Codec, Crc32cMatchesTheStandardCheckValueAndCoversEvery64KiBBlock) {
  const char text[] = "123456789";
  std::vector<std::byte> nine(9);
  std::memcpy(nine.data(), text, 9);
  EXPECT_EQ(crc32c(nine), 0xE3069283u);  // the CRC-32C (iSCSI) check value
  std::vector<std::byte> data(3 * kCrcBlockSize + 10);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte(static_cast<uint8_t>(i * 7 + 1));
  const auto crcs = block_crcs(data);
  ASSERT_EQ(crcs.size(), 4u);
  EXPECT_EQ(crcs[3], crc32c(std::span(data).subspan(3 * kCrcBlockSize)));
  EXPECT_NO_THROW(verify_blocks(data, 0, data.size(), crcs));
  EXPECT_NO_THROW(verify_blocks(std::span(data).subspan(kCrcBlockSize, kCrcBlockSize),
                                kCrcBlockSize, data.size(), crcs));
  for (size_t at : {size_t{0}, kCrcBlockSize + 5, data.size() - 1}) {
    auto bad = data;
    bad[at] ^= std::byte{0x01};
    try {
      verify_blocks(bad, 0, bad.size(), crcs);
      ADD_FAILURE() << "flip at " << at << " not detected";
    } catch (const CodecError& e) {
      EXPECT_NE(std::string(e.what()).find("block " + std::to_string(at / kCrcBlockSize)),
                std::string::npos)
          << e.what();
    }
  }
  // A read ending inside a block cannot be checked: refused, never skipped.
  EXPECT_THROW(verify_blocks(std::span(data).first(100), 0, data.size(), crcs), CodecError);
}

TEST(Codec, WholeStreamInflateChecksAdler32InEveryEngine) {
  const auto raw = as_bytes(smooth_field(50000));
  auto packed = zlib_compress(raw, 3);
  packed.back() ^= std::byte{0x01};  // the deflate data is intact, only the adler32 differs
  for (Inflater e : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal, Inflater::kAuto}) {
    std::vector<std::byte> out(raw.size());
    EXPECT_THROW(inflate_all(e, packed, out), CodecError) << inflater_name(e);
  }
}

TEST(Codec, StreamedChunkIsCheckedBlockByBlockAgainstItsCrcs) {
  const auto values = smooth_field(400000);
  auto packed = shuffled_deflated(values);
  ASSERT_GT(packed.size(), 3 * kCrcBlockSize);
  const auto crcs = block_crcs(packed);
  Pipeline p{.shuffle = 0, .deflate = 1, .fletcher32 = -1, .elem_size = 2};
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  const StreamReader read = recording_reader(packed, reads);
  for (Inflater e : {Inflater::kZlib, Inflater::kIsal, Inflater::kAuto, Inflater::kLibdeflate}) {
    reads.clear();
    DecodedChunk chunk;
    chunk.decode_from(p, 0, packed.size(), read, values.size(), 10, e, crcs);
    int16_t v;
    chunk.element(10, reinterpret_cast<std::byte*>(&v));
    EXPECT_EQ(v, values[10]) << inflater_name(e);
    for (auto [at, n] : reads) {
      EXPECT_EQ(at % kCrcBlockSize, 0u) << inflater_name(e);
      EXPECT_TRUE((at + n) % kCrcBlockSize == 0 || at + n == packed.size()) << inflater_name(e);
    }
  }
  // One flipped bit in the first block: early stop would decode it without complaint.
  packed[200] ^= std::byte{0x01};
  for (Inflater e : {Inflater::kZlib, Inflater::kIsal, Inflater::kAuto, Inflater::kLibdeflate}) {
    DecodedChunk chunk;
    try {
      chunk.decode_from(p, 0, packed.size(), read, values.size(), 10, e, crcs);
      ADD_FAILURE() << inflater_name(e) << ": flipped bit not detected";
    } catch (const CodecError& err) {
      EXPECT_NE(std::string(err.what()).find("CRC-32C"), std::string::npos) << err.what();
    }
  }
}

// A remote drill fetches [0, first_read) before it inflates (another thread
// may be inflating meanwhile) and serves decode_from()'s reads from it; a
// different first read would cost a second round trip per chunk.
TEST(Codec, FirstReadIsExactlyTheFirstRangeDecodeFromAsksFor) {
  const auto values = smooth_field(400000);
  const auto packed = shuffled_deflated(values);
  Pipeline p{.shuffle = 0, .deflate = 1, .fletcher32 = -1, .elem_size = 2};
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  const StreamReader read = recording_reader(packed, reads);
  for (Inflater e : {Inflater::kZlib, Inflater::kIsal, Inflater::kAuto, Inflater::kLibdeflate}) {
    // Early rows (a prefix is enough), the middle, and the last element.
    for (size_t max_index : {size_t{10}, values.size() / 3, values.size() - 1}) {
      SCOPED_TRACE(std::string(inflater_name(e)) + " max_index " + std::to_string(max_index));
      reads.clear();
      DecodedChunk chunk;
      chunk.decode_from(p, 0, packed.size(), read, values.size(), max_index, e);
      ASSERT_FALSE(reads.empty());
      EXPECT_EQ(reads.front().first, 0u);
      EXPECT_EQ(reads.front().second,
                DecodedChunk::first_read(p, 0, packed.size(), values.size(), max_index, e));
      int16_t v;
      chunk.element(max_index, reinterpret_cast<std::byte*>(&v));
      EXPECT_EQ(v, values[max_index]);
    }
  }
  // Unshuffled and early: a prefix smaller than the whole stream.
  Pipeline plain{.shuffle = -1, .deflate = 0, .fletcher32 = -1, .elem_size = 2};
  const auto packed_plain = zlib_compress(as_bytes(values), 3);
  EXPECT_LT(
      DecodedChunk::first_read(plain, 0, packed_plain.size(), values.size(), 10, Inflater::kIsal),
      packed_plain.size());
}

}  // namespace
}  // namespace pixeldrill::codec

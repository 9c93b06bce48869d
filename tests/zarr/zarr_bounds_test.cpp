// Damaged or hostile .zarray metadata is refused before anything is
// allocated from it (issue 10: chunks = [2^31]*3 tried a 40 GB allocation).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "formats/zarr/array_meta.h"

using pixeldrill::Error;
using pixeldrill::ErrorKind;
using pixeldrill::zarr::ArrayMeta;

namespace {

nlohmann::json zarray(nlohmann::json shape, nlohmann::json chunks) {
  return {{"zarr_format", 2},    {"shape", shape}, {"chunks", chunks},   {"dtype", "<f4"},
          {"fill_value", "NaN"}, {"order", "C"},   {"filters", nullptr}, {"compressor", nullptr}};
}

ErrorKind refusal(const nlohmann::json& j) {
  try {
    ArrayMeta::from_json(j, "store/sst/.zarray");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("store/sst/.zarray"), std::string::npos) << e.what();
    return e.kind();
  }
  ADD_FAILURE() << "accepted " << j.dump();
  return ErrorKind::kInternal;
}

}  // namespace

TEST(ZarrBounds, HugeChunksAreRefusedBeforeAllocating) {
  const uint64_t big = uint64_t{1} << 31;
  EXPECT_EQ(refusal(zarray({big, big, big}, {big, big, big})), ErrorKind::kCorrupt);
  // Just over 2 GiB of float32 in one chunk.
  EXPECT_EQ(refusal(zarray({100000, 4500, 6000}, {100000, 4500, 6000})), ErrorKind::kCorrupt);
  EXPECT_EQ(refusal(zarray({uint64_t{1} << 62}, {1})), ErrorKind::kCorrupt);
  EXPECT_EQ(refusal(zarray(std::vector<int>(9, 2), std::vector<int>(9, 1))), ErrorKind::kCorrupt);
  // Found by zarr_chunk_fuzz: a float length was converted with undefined
  // behaviour; a negative one wrapped to 2^64 - 1.
  EXPECT_EQ(refusal(zarray({5.55556e+34, 4, 5}, {6, 4, 5})), ErrorKind::kCorrupt);
  EXPECT_EQ(refusal(zarray({12, 4, 5}, {-1, 4, 5})), ErrorKind::kCorrupt);
  EXPECT_EQ(refusal(zarray({12, 4, 5}, {6.5, 4, 5})), ErrorKind::kCorrupt);
  auto format = zarray({12, 4, 5}, {6, 4, 5});
  format["zarr_format"] = 2.11111e+43;  // its conversion to int was undefined
  EXPECT_EQ(refusal(format), ErrorKind::kCorrupt);
  format["zarr_format"] = 3;
  EXPECT_EQ(refusal(format), ErrorKind::kCorrupt);
  auto blosc = zarray({12, 4, 5}, {6, 4, 5});
  blosc["compressor"] = {{"id", "blosc"}, {"cname", "lz4"}, {"blocksize", 6.66667e+82}};
  EXPECT_EQ(refusal(blosc), ErrorKind::kCorrupt);
  blosc["compressor"] = {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", -3}};
  EXPECT_EQ(refusal(blosc), ErrorKind::kCorrupt);
  // A real store's shape passes.
  const auto ok = ArrayMeta::from_json(zarray({11000, 4500, 6000}, {365, 64, 64}), "s/.zarray");
  EXPECT_EQ(ok.chunk_items(), 365u * 64 * 64);
}

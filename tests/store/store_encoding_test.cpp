// How source values become store values (store/value_encoding.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "store/value_encoding.h"

namespace pixeldrill::store {
namespace {
using catalog::Packing;
using catalog::StorageType;

Packing sst_packing(double offset) {
  Packing p;
  p.type = StorageType::kInt16;
  p.fill_value = -32768;
  p.scale_factor = static_cast<double>(0.01f);
  p.add_offset = offset;
  return p;
}

TEST(StoreEncoding, ExactModeIsFloat32OfTheDecodedValueWithNanForFill) {
  ValueEncoding e;  // kFloat, float32
  const std::vector<int16_t> raw = {-32768, 0, 1234, -200};
  std::vector<float> out(raw.size());
  e.encode(raw.data(), StorageType::kInt16, sst_packing(273.15), raw.size(), out.data(), "f");
  EXPECT_TRUE(std::isnan(out[0]));
  for (size_t i = 1; i < raw.size(); ++i) {
    EXPECT_EQ(out[i], static_cast<float>(raw[i] * static_cast<double>(0.01f) + 273.15));
  }
  EXPECT_TRUE(std::isnan(e.store_packing().decode(out[0])));
}

TEST(StoreEncoding, PackedModeRequantisesFilesWithOtherOffsetsWithinHalfAQuantum) {
  ValueEncoding e;
  e.kind = ValueEncoding::Kind::kPacked;
  e.type = StorageType::kInt16;
  e.fill = -32768;
  e.scale = static_cast<double>(0.01f);
  e.offset = 290.0;
  for (double file_offset : {273.15, 300.0, 290.005}) {
    const Packing src = sst_packing(file_offset);
    std::vector<int16_t> raw(2001);
    for (int i = 0; i <= 2000; ++i) raw[i] = static_cast<int16_t>(i * 10 - 10000);
    std::vector<int16_t> out(raw.size());
    e.encode(raw.data(), StorageType::kInt16, src, raw.size(), out.data(), "f");
    const Packing stored = e.store_packing();
    for (size_t i = 0; i < raw.size(); ++i) {
      EXPECT_LE(std::fabs(stored.decode(out[i]) - src.decode(raw[i])), 0.005 * 1.0001);
    }
  }
}

TEST(StoreEncoding, PackedValuesOutsideTheRangeAreRefusedNotClipped) {
  ValueEncoding e;
  e.kind = ValueEncoding::Kind::kPacked;
  e.type = StorageType::kInt8;
  e.fill = -128;
  e.scale = 1;
  e.offset = 0;
  const std::vector<int16_t> raw = {100, 200};
  std::vector<int8_t> out(2);
  Packing src;
  src.type = StorageType::kInt16;
  EXPECT_THROW(e.encode(raw.data(), StorageType::kInt16, src, 2, out.data(), "file.nc"), Error);
}

TEST(StoreEncoding, IntegersKeepTheirValuesAndMapEachFilesFillToTheStoresFill) {
  ValueEncoding e;
  e.kind = ValueEncoding::Kind::kInteger;
  e.type = StorageType::kInt8;
  e.fill = -128;
  Packing src;
  src.type = StorageType::kInt8;
  src.fill_value = -127;  // this file's own fill
  const std::vector<int8_t> raw = {-127, 0, 5, 3};
  std::vector<int8_t> out(raw.size());
  e.encode(raw.data(), StorageType::kInt8, src, raw.size(), out.data(), "f");
  EXPECT_EQ(out, (std::vector<int8_t>{-128, 0, 5, 3}));
  // A valid value equal to the store's fill would become missing: refused.
  const std::vector<int8_t> clash = {-128};
  EXPECT_THROW(e.encode(clash.data(), StorageType::kInt8, src, 1, out.data(), "f"), Error);
}

TEST(StoreEncoding, JsonRoundTrip) {
  ValueEncoding e;
  e.kind = ValueEncoding::Kind::kPacked;
  e.type = StorageType::kInt16;
  e.fill = -32768;
  e.scale = 0.01;
  e.offset = 290.12;
  EXPECT_EQ(ValueEncoding::from_json(e.to_json()), e);
}

}  // namespace
}  // namespace pixeldrill::store

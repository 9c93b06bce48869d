// The Zarr v2 writer checked against zarr-python / numcodecs (Debian
// python3-zarr) as the independent reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "../store/store_test_util.h"
#include "core/error.h"
#include "formats/zarr/array_meta.h"
#include "formats/zarr/chunk_io.h"
#include "formats/zarr/directory.h"

namespace pixeldrill::zarr {
namespace {
using store_test::TempDir;

// Writes a (10, 5, 7) float32 array in (4, 3, 3) chunks; value = t*100+y*10+x,
// except time rows 4..7 which are all NaN (so those chunks are not written).
void write_test_array(const Directory& dir, const ArrayMeta& meta) {
  const auto grid = meta.chunk_grid();
  std::vector<float> chunk(meta.chunk_items());
  for (uint64_t ct = 0; ct < grid[0]; ++ct)
    for (uint64_t cy = 0; cy < grid[1]; ++cy)
      for (uint64_t cx = 0; cx < grid[2]; ++cx) {
        for (uint64_t t = 0; t < 4; ++t)
          for (uint64_t y = 0; y < 3; ++y)
            for (uint64_t x = 0; x < 3; ++x) {
              const uint64_t gt = ct * 4 + t, gy = cy * 3 + y, gx = cx * 3 + x;
              float v = static_cast<float>(gt * 100 + gy * 10 + gx);
              if (gt >= 4 && gt < 8) v = std::nanf("");
              chunk[meta.offset_in_chunk({t, y, x})] = v;
            }
        write_chunk(dir, "v", meta, {ct, cy, cx}, std::as_bytes(std::span(chunk)));
      }
  dir.write_json("v/.zarray", meta.to_json());
  dir.write_json("v/.zattrs", {{"_ARRAY_DIMENSIONS", {"time", "lat", "lon"}}, {"units", "K"}});
  dir.write_json(".zgroup", {{"zarr_format", 2}});
  dir.write_json(".zattrs", nlohmann::json::object());
  dir.write_consolidated();
}

void expect_python_reads_test_array(const TempDir& tmp, char order) {
  const auto r = store_test::run(store_test::python_script("store_dump_zarr.py") + " " +
                                 tmp.str("store") + " v");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["shape"], nlohmann::json({10, 5, 7}));
  EXPECT_EQ(j["dtype"], "float32");
  EXPECT_EQ(j["order"], std::string(1, order));
  EXPECT_EQ(j["attrs"]["units"], "K");
  size_t i = 0;
  for (int t = 0; t < 10; ++t)
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 7; ++x, ++i) {
        if (t >= 4 && t < 8) {
          EXPECT_TRUE(j["values"][i].is_null()) << t << "," << y << "," << x;
        } else {
          EXPECT_EQ(j["values"][i].get<double>(), t * 100 + y * 10 + x);
        }
      }
}

ArrayMeta test_meta(Codec codec, char order) {
  ArrayMeta meta;
  meta.shape = {10, 5, 7};
  meta.chunks = {4, 3, 3};
  meta.dtype = formats::StorageType::kFloat32;
  meta.fill_value = "NaN";
  meta.order = order;
  meta.codec = codec;
  return meta;
}

TEST(ZarrFormat, BloscLz4FortranOrderArrayIsReadByZarrPython) {
  TempDir tmp;
  Directory dir(tmp.str("store"), tmp.str("store/.pixeldrill/tmp"));
  write_test_array(dir, test_meta(Codec::parse("blosc-lz4"), 'F'));
  expect_python_reads_test_array(tmp, 'F');
}

TEST(ZarrFormat, ZstdCOrderArrayIsReadByZarrPython) {
  TempDir tmp;
  Directory dir(tmp.str("store"), tmp.str("store/.pixeldrill/tmp"));
  write_test_array(dir, test_meta(Codec::parse("zstd"), 'C'));
  expect_python_reads_test_array(tmp, 'C');
}

TEST(ZarrFormat, AllFillChunksAreNotWrittenAndTemporariesAreRenamedAway) {
  TempDir tmp;
  Directory dir(tmp.str("store"), tmp.str("store/.pixeldrill/tmp"));
  const auto meta = test_meta(Codec::parse("blosc-zstd"), 'F');
  write_test_array(dir, meta);
  // time chunk 1 covers t = 4..7, all NaN: none of its 2 x 3 chunks exist.
  for (int cy = 0; cy < 2; ++cy)
    for (int cx = 0; cx < 3; ++cx) {
      EXPECT_FALSE(dir.exists("v/1." + std::to_string(cy) + "." + std::to_string(cx)));
      EXPECT_TRUE(dir.exists("v/0." + std::to_string(cy) + "." + std::to_string(cx)));
    }
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path() / "store/.pixeldrill/tmp"));
  const auto zmeta = dir.read_json(".zmetadata");
  EXPECT_EQ(zmeta["zarr_consolidated_format"], 1);
  EXPECT_EQ(zmeta["metadata"]["v/.zarray"]["order"], "F");
  EXPECT_EQ(zmeta["metadata"]["v/.zattrs"]["_ARRAY_DIMENSIONS"][0], "time");
}

TEST(ZarrFormat, PartialBloscDecodeReturnsOnePixelsTimeSeries) {
  TempDir tmp;
  Directory dir(tmp.str("store"), tmp.str("store/.pixeldrill/tmp"));
  ArrayMeta meta = test_meta(Codec::parse("blosc-lz4"), 'F');
  meta.shape = {1000, 40, 40};
  meta.chunks = {1000, 40, 40};
  std::vector<float> chunk(meta.chunk_items());
  for (uint64_t t = 0; t < 1000; ++t)
    for (uint64_t y = 0; y < 40; ++y)
      for (uint64_t x = 0; x < 40; ++x)
        chunk[meta.offset_in_chunk({t, y, x})] = static_cast<float>(t + y * 0.25 + x * 1000);
  write_chunk(dir, "v", meta, {0, 0, 0}, std::as_bytes(std::span(chunk)));
  const auto encoded = dir.read("v/0.0.0");
  ASSERT_TRUE(encoded);
  std::vector<float> series(1000);
  meta.codec.decompress_items(*encoded, meta.offset_in_chunk({0, 17, 23}), 4,
                              std::as_writable_bytes(std::span(series)), "v/0.0.0");
  for (int t = 0; t < 1000; ++t) ASSERT_EQ(series[t], static_cast<float>(t + 17 * 0.25 + 23000));
  // The same series read from the file touching only its blosc blocks.
  std::vector<float> again(1000);
  read_chunk_items(*dir.open("v/0.0.0"), meta.codec, meta.chunk_items() * 4,
                   meta.offset_in_chunk({0, 39, 2}), 4, std::as_writable_bytes(std::span(again)));
  for (int t = 0; t < 1000; ++t) ASSERT_EQ(again[t], static_cast<float>(t + 39 * 0.25 + 2000));
  std::filesystem::resize_file(dir.uri("v/0.0.0"), encoded->size() - 10);
  EXPECT_THROW(read_chunk_items(*dir.open("v/0.0.0"), meta.codec, meta.chunk_items() * 4, 0, 4,
                                std::as_writable_bytes(std::span(again))),
               Error);
  EXPECT_EQ(dir.open("v/9.9.9"), nullptr);  // absent: all fill, not an error
  // A truncated chunk is an error naming it, never garbage.
  std::vector<std::byte> cut(encoded->begin(), encoded->begin() + encoded->size() / 2);
  EXPECT_THROW(
      meta.codec.decompress_items(cut, 0, 4, std::as_writable_bytes(std::span(series)), "v/0.0.0"),
      Error);
}

}  // namespace
}  // namespace pixeldrill::zarr

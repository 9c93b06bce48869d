#include "formats/hdf5/chunk_index.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "../support/test_paths.h"
#include "codec/chunk_pipeline.h"
#include "core/error.h"
#include "io/byte_source.h"

namespace pixeldrill::formats::hdf5 {
namespace {

namespace fs = std::filesystem;

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// "<dataset> <coords> <offset> <size> <mask>" lines from our index, in the same
// form as tests/python/index_chunk_info.py prints them from h5py.
std::multiset<std::string> our_chunks(const FileContents& contents) {
  std::multiset<std::string> lines;
  for (const auto& d : contents.datasets) {
    if (d.filters.empty() && d.chunk_shape == d.shape && d.chunks.size() == 1 &&
        !d.unsupported.empty()) {
      continue;
    }
    const auto grid = d.chunk_grid();
    for (size_t linear = 0; linear < d.chunks.size(); ++linear) {
      const auto& c = d.chunks[linear];
      if (c.offset == kNoStorage) continue;
      std::vector<uint64_t> coords(grid.size());
      size_t rest = linear;
      for (size_t k = grid.size(); k-- > 0;) {
        coords[k] = (rest % grid[k]) * d.chunk_shape[k];
        rest /= grid[k];
      }
      std::ostringstream line;
      line << d.name << ' ';
      for (size_t k = 0; k < coords.size(); ++k) line << (k ? "," : "") << coords[k];
      line << ' ' << c.offset << ' ' << c.size << ' ' << c.filter_mask;
      lines.insert(line.str());
    }
  }
  return lines;
}

std::multiset<std::string> h5py_chunks(const std::string& path) {
  const std::string out = run(std::string("/usr/bin/python3 ") + PIXELDRILL_SOURCE_DIR +
                              "/tests/python/index_chunk_info.py '" + path + "'");
  std::multiset<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

using pixeldrill::testing::TempDir;

// A small HDF5 file with a many-chunk 2-D dataset (shuffle + deflate +
// fletcher32, partial edge chunks, one chunk never written) and a dataset
// using the N-bit filter, which the chunk reader does not implement.
void write_test_file(const std::string& path) {
  hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dims[2] = {20, 30}, chunk[2] = {7, 11};
  hid_t space = H5Screate_simple(2, dims, nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  H5Pset_shuffle(dcpl);
  H5Pset_deflate(dcpl, 3);
  H5Pset_fletcher32(dcpl);
  hid_t ds = H5Dcreate2(file, "sst", H5T_STD_I16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  // Write all but the last chunk row, so some chunks stay unallocated.
  std::vector<int16_t> values(14 * 30);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int16_t>(i * 3 - 500);
  hsize_t start[2] = {0, 0}, count[2] = {14, 30};
  hid_t mem = H5Screate_simple(2, count, nullptr);
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
  H5Dwrite(ds, H5T_NATIVE_INT16, mem, space, H5P_DEFAULT, values.data());
  double scale = 0.01;
  hid_t ascalar = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(ds, "scale_factor", H5T_IEEE_F32LE, ascalar, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(attr, H5T_NATIVE_DOUBLE, &scale);
  H5Aclose(attr);
  H5Sclose(mem);
  H5Dclose(ds);
  H5Pclose(dcpl);

  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 2, chunk);
  H5Pset_nbit(dcpl);
  ds = H5Dcreate2(file, "nbit", H5T_STD_I16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Sselect_all(space);
  std::vector<int16_t> all(20 * 30, 7);
  H5Dwrite(ds, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data());
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(ascalar);
  H5Sclose(space);
  H5Fclose(file);
}

TEST(Hdf5ChunkIndex, OffsetsSizesAndMasksEqualH5pyOnAManyChunkFile) {
  TempDir dir;
  const std::string path = dir / "many.h5";
  write_test_file(path);
  const auto contents = read_chunk_index(path);
  const Dataset* sst = contents.find("sst");
  ASSERT_NE(sst, nullptr);
  EXPECT_EQ(sst->chunk_grid(), (std::vector<uint64_t>{3, 3}));
  ASSERT_EQ(sst->chunks.size(), 9u);
  EXPECT_EQ(sst->chunks[8].offset, kNoStorage);  // last chunk row never written
  EXPECT_NE(sst->chunks[0].offset, kNoStorage);
  ASSERT_EQ(sst->filters.size(), 3u);
  EXPECT_EQ(sst->filters[0].id, kFilterShuffle);
  EXPECT_EQ(sst->filters[1].id, kFilterDeflate);
  EXPECT_EQ(sst->filters[1].params, (std::vector<uint32_t>{3}));
  EXPECT_EQ(sst->filters[2].id, kFilterFletcher32);
  EXPECT_TRUE(sst->unsupported.empty());
  EXPECT_FLOAT_EQ(*sst->packing.scale_factor, 0.01f);
  const Dataset* nbit = contents.find("nbit");
  ASSERT_NE(nbit, nullptr);
  EXPECT_NE(nbit->unsupported.find("filter 5"), std::string::npos) << nbit->unsupported;
  const auto ours = our_chunks(contents);
  EXPECT_EQ(ours.size(), 6u + 9u);
  EXPECT_EQ(ours, h5py_chunks(path));
}

TEST(Hdf5ChunkIndex, StoredChunkDecodesWithOurPipelineIncludingFletcher32) {
  TempDir dir;
  const std::string path = dir / "many.h5";
  write_test_file(path);
  const auto contents = read_chunk_index(path);
  const Dataset* sst = contents.find("sst");
  ASSERT_NE(sst, nullptr);
  const ChunkRef& ref = sst->chunks[1];  // rows 0..6, columns 11..21
  std::vector<std::byte> stored(ref.size);
  io::open_file_source(path)->read(ref.offset, stored);
  codec::Pipeline p{.shuffle = 0, .deflate = 1, .fletcher32 = 2, .elem_size = 2};
  codec::DecodedChunk chunk;
  chunk.decode(p, ref.filter_mask, stored, 7 * 11, 7 * 11 - 1, codec::Inflater::kZlib);
  for (size_t r : {0, 3, 6}) {
    for (size_t c : {0, 10}) {
      int16_t v;
      chunk.element(r * 11 + c, reinterpret_cast<std::byte*>(&v));
      EXPECT_EQ(v, static_cast<int16_t>((r * 30 + 11 + c) * 3 - 500)) << r << "," << c;
    }
  }
  stored[stored.size() / 2] ^= std::byte{0x10};
  EXPECT_THROW(chunk.decode(p, ref.filter_mask, stored, 77, 76, codec::Inflater::kZlib),
               codec::CodecError);
}

TEST(Hdf5ChunkIndex, RealFixturesMatchH5pyAndCarryCfMetadata) {
  const std::string dir = PIXELDRILL_FIXTURES_DIR;
  for (const char* name :
       {"L3S-1d_day_2017_subset_a.nc", "L3S-1d_ngt_20150902-03_subset_unpacked.nc",
        "20250101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.grid-only.nc"}) {
    const std::string path = dir + "/" + name;
    const auto contents = read_chunk_index(path);
    EXPECT_EQ(our_chunks(contents), h5py_chunks(path)) << name;
    const Dataset* lat = contents.find("lat");
    ASSERT_NE(lat, nullptr) << name;
    EXPECT_TRUE(lat->is_coordinate());
    EXPECT_EQ(lat->coord_values.size(), lat->shape[0]);
    const Dataset* sst = contents.find("sea_surface_temperature");
    ASSERT_NE(sst, nullptr) << name;
    EXPECT_EQ(sst->dims, (std::vector<std::string>{"time", "lat", "lon"})) << name;
    EXPECT_EQ(sst->attrs.value("units", ""), "kelvin") << name;
  }
  const auto subset = read_chunk_index(dir + "/L3S-1d_day_2017_subset_a.nc");
  const Dataset* sst = subset.find("sea_surface_temperature");
  EXPECT_EQ(sst->type, formats::StorageType::kInt16);
  EXPECT_EQ(*sst->packing.fill_value, -32768);
  EXPECT_TRUE(sst->packing.add_offset.has_value());
  EXPECT_EQ(subset.global_attrs.value("Conventions", ""), "CF-1.6");
}

TEST(Hdf5ChunkIndex, NonHdf5FileIsRefusedByName) {
  TempDir dir;
  const std::string path = dir / "not.nc";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("CDF\x01 classic, not HDF5", f);
  std::fclose(f);
  try {
    read_chunk_index(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

}  // namespace
}  // namespace pixeldrill::formats::hdf5

// Bit rot after indexing: bytes that change inside a chunk while the file keeps
// its size and modification time. Early-stop inflate never reaches the
// stream's adler32, so only the CRC-32C blocks the index records can tell.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "drill/index_dataset.h"
#include "index/indexer.h"
#include "index_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

// XORs one byte of `path` at `offset`, keeping the modification time.
void flip_byte(const std::string& path, uint64_t offset) {
  const auto stamp = fs::last_write_time(path);
  {
    std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    io.read(&c, 1);
    c = static_cast<char>(c ^ 0x01);
    io.seekp(static_cast<std::streamoff>(offset));
    io.write(&c, 1);
    ASSERT_TRUE(io.good()) << path;
  }
  fs::last_write_time(path, stamp);
}

struct Victim {
  std::string path;
  size_t chunk = 0;
  formats::hdf5::ChunkRef ref;
};

Victim first_chunk_of(const index::CollectionIndex& idx, const std::string& var) {
  const auto& f = idx.files.at(0);
  size_t vi = 0;
  EXPECT_NE(idx.layouts[f.layout].find(var, &vi), nullptr);
  return {f.path, 0, f.vars[vi].chunks.at(0)};
}

TEST(IndexBitRot, EveryFlippedByteInAChunkIsReportedByNameAndNeverReturnedAsValues) {
  TempDir dir;
  const std::string c = dir / "c";
  ASSERT_EQ(run(pixeldrill() + " synth " + c +
                " --from 2021-01-01 --to 2021-01-02 --decimate 10 -q --no-gaps"
                " --vars quality_level,sea_surface_temperature")
                .status,
            0);
  const std::string pdx = dir / "c.pdx";
  index::write_index(index::build_index(c, nullptr, {1, false}, nullptr), pdx);
  const auto idx = index::read_index(pdx);
  ASSERT_EQ(idx.files.size(), 2u);
  for (const char* var : {"quality_level", "sea_surface_temperature"}) {
    const Victim v = first_chunk_of(idx, var);
    ASSERT_GT(v.ref.size, 1000u) << var;
    drill::Query q;
    q.vars = {var};
    q.sites = {{"", 19.9, 70.1}};  // the first element: drills stop inflating almost at once
    for (codec::Inflater engine : {codec::Inflater::kAuto, codec::Inflater::kZlib,
                                   codec::Inflater::kIsal, codec::Inflater::kLibdeflate}) {
      // Positions across the stream, the zlib header and the adler32 trailer included.
      for (uint64_t at : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{40},
                          uint64_t{v.ref.size / 3}, uint64_t{v.ref.size - 1}}) {
        flip_byte(v.path, v.ref.offset + at);
        drill::IndexDataset source(pdx, index::read_index(pdx), drill::IndexDrillOptions{engine, 1});
        const auto got = source.drill(q);
        flip_byte(v.path, v.ref.offset + at);  // restore
        const std::string what =
            std::string(var) + " " + codec::inflater_name(engine) + " byte " + std::to_string(at);
        ASSERT_EQ(got.problems.size(), 1u) << what;
        const std::string msg = got.problems[0].message();
        EXPECT_EQ(got.problems[0].path, v.path) << what;
        EXPECT_NE(msg.find(var), std::string::npos) << what << ": " << msg;
        EXPECT_NE(msg.find("chunk 0"), std::string::npos) << what << ": " << msg;
        EXPECT_NE(msg.find("corrupt"), std::string::npos) << what << ": " << msg;
        EXPECT_EQ(got.rows.size(), 1u) << what << ": the damaged day must not be returned";
      }
    }
  }
}

TEST(IndexBitRot, InfoVerifyChecksEveryChunkAndNamesTheDamagedOne) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const std::string pdx = dir / "c.pdx";
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + pdx + " 2>/dev/null").status, 0);
  const auto clean = run(pixeldrill() + " info " + pdx + " --verify 2>&1");
  EXPECT_EQ(clean.status, 0) << clean.out;
  EXPECT_NE(clean.out.find("all checksums match"), std::string::npos) << clean.out;

  const auto idx = index::read_index(pdx);
  const auto& f = idx.files.at(2);
  size_t vi = 0;
  ASSERT_NE(idx.layouts[f.layout].find("l2p_flags", &vi), nullptr);
  const auto& chunks = f.vars[vi].chunks;
  const size_t last = chunks.size() - 1;
  flip_byte(f.path, chunks[last].offset + chunks[last].size / 2);
  const auto bad = run(pixeldrill() + " info " + pdx + " --verify 2>&1");
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find(f.path + ": variable l2p_flags: chunk " + std::to_string(last)),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.out.find("CRC-32C"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("1 damaged or changed"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace pixeldrill::testing

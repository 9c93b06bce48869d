// Format 3: the memory-mapped index (index/mapped_index.h) answers like the
// decoded one, finds a time range's files without visiting the others,
// checks its block CRCs only where a query reads, and still reads format 2.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "drill/index_dataset.h"
#include "index/binary_io.h"
#include "index/collection_index.h"
#include "index/index_codec.h"
#include "index/indexer.h"
#include "index/mapped_index.h"
#include "index_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

// A format-2 file as pixeldrill wrote it before format 3 (docs/index.md).
std::string encode_v2(const index::CollectionIndex& index) {
  using namespace index::codec_detail;
  index::Writer w;
  w.str(index.collection);
  w.u64(index.grids.size());
  for (const auto& g : index.grids) {
    put_axis(w, g.lat);
    put_axis(w, g.lon);
  }
  w.u64(index.layouts.size());
  for (const auto& l : index.layouts) put_layout(w, l);
  w.u64(index.files.size());
  for (const auto& f : index.files) {
    w.str(f.path);
    w.u64(f.size);
    w.i64(f.mtime_ns);
    w.u32(f.layout);
    w.u64(f.times.size());
    w.raw(f.time_raw.data(), f.time_raw.size() * 8);
    w.raw(f.times.data(), f.times.size() * 8);
    put_file_vars(w, f.vars);
  }
  w.u64(index.problems.size());
  for (const auto& p : index.problems) w.str(p);
  std::string out(32, '\0');
  std::memcpy(out.data(), index::kMagic, 8);
  const uint32_t version = 2;
  const uint64_t size = w.data().size();
  const auto crc = static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(w.data().data()), w.data().size()));
  std::memcpy(out.data() + 8, &version, 4);
  std::memcpy(out.data() + 16, &size, 8);
  std::memcpy(out.data() + 24, &crc, 4);
  return out + w.data();
}

void expect_same_file(const index::FileEntry& x, const index::FileEntry& y) {
  EXPECT_EQ(x.path, y.path);
  EXPECT_EQ(x.size, y.size);
  EXPECT_EQ(x.mtime_ns, y.mtime_ns);
  EXPECT_EQ(x.layout, y.layout);
  EXPECT_EQ(x.times, y.times);
  EXPECT_EQ(x.time_raw, y.time_raw);
  ASSERT_EQ(x.vars.size(), y.vars.size());
  for (size_t v = 0; v < x.vars.size(); ++v) {
    EXPECT_EQ(x.vars[v].packing, y.vars[v].packing);
    EXPECT_EQ(x.vars[v].chunks, y.vars[v].chunks);
    EXPECT_EQ(x.vars[v].block_crcs, y.vars[v].block_crcs);
  }
}

TEST(MappedIndex, AnswersLikeTheDecodedIndexAndFindsATimeRangesFilesBySearch) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const auto built = index::build_index(c, nullptr, {2, false}, nullptr);
  index::write_index(built, dir / "c.pdx");
  const auto m = index::MappedIndex::open(dir / "c.pdx");
  EXPECT_EQ(m->version(), 3u);
  EXPECT_EQ(m->collection(), built.collection);
  ASSERT_EQ(m->file_count(), built.files.size());
  ASSERT_EQ(m->layouts().size(), built.layouts.size());
  for (size_t i = 0; i < built.files.size(); ++i) {
    EXPECT_EQ(m->path(i), built.files[i].path);
    EXPECT_EQ(m->times(i), built.files[i].times);
    EXPECT_EQ(m->layout_of(i), built.files[i].layout);
    expect_same_file(m->file(i), built.files[i]);
  }
  // Per layout group: file count, steps, first file and its packing types.
  for (size_t l = 0; l < built.layouts.size(); ++l) {
    uint64_t files = 0, steps = 0;
    uint32_t first = UINT32_MAX;
    for (size_t i = 0; i < built.files.size(); ++i) {
      if (built.files[i].layout != l) continue;
      if (!files++) first = static_cast<uint32_t>(i);
      steps += built.files[i].times.size();
    }
    const auto& s = m->summaries()[l];
    EXPECT_EQ(s.files, files);
    EXPECT_EQ(s.steps, steps);
    EXPECT_EQ(s.first_file, first);
    ASSERT_EQ(s.var_types.size(), built.files[first].vars.size());
    EXPECT_EQ(s.var_types[0], built.files[first].vars[0].packing.type);
  }
  // Every range, including open ends and empty ones, against a scan of every file.
  std::vector<int64_t> edges;
  for (const auto& f : built.files) {
    for (int64_t t : f.times) edges.insert(edges.end(), {t - 1, t, t + 1});
  }
  std::vector<std::optional<int64_t>> ends(edges.begin(), edges.end());
  ends.push_back(std::nullopt);
  for (const auto& from : ends) {
    for (const auto& to : ends) {
      std::vector<uint32_t> want;
      for (size_t i = 0; i < built.files.size(); ++i) {
        for (int64_t t : built.files[i].times) {
          if ((!from || t >= *from) && (!to || t <= *to)) {
            want.push_back(static_cast<uint32_t>(i));
            break;
          }
        }
      }
      EXPECT_EQ(m->files_between(from, to), want);
    }
  }
  // Synthetic files carry GHRSST names of one product.
  EXPECT_EQ(m->products().size(), 1u);
  EXPECT_EQ(m->products()[0].files, built.files.size());
}

TEST(MappedIndex, FormatTwoIsStillReadDrilledAndUpgradedByTheNextIndexRun) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const auto built = index::build_index(c, nullptr, {2, false}, nullptr);
  const std::string v2 = dir / "v2.pdx", v3 = dir / "v3.pdx";
  std::ofstream(v2, std::ios::binary) << encode_v2(built);
  index::write_index(built, v3);
  EXPECT_EQ(index::MappedIndex::open(v2)->version(), 2u);
  const auto decoded = index::read_index(v2);
  ASSERT_EQ(decoded.files.size(), built.files.size());
  for (size_t i = 0; i < built.files.size(); ++i)
    expect_same_file(decoded.files[i], built.files[i]);
  for (const char* q : {" --point -32,115", " --box -40,-30,110,120 --reduce mean",
                        " --point -32,115 --from 2016-01-01 --to 2016-01-01"}) {
    const auto a = run(pixeldrill() + " drill " + v2 + q);
    const auto b = run(pixeldrill() + " drill " + v3 + q);
    EXPECT_EQ(a.status, 0) << q;
    EXPECT_EQ(a.out, b.out) << q;
    EXPECT_GT(lines(a.out).size(), 1u) << q;
  }
  const auto info = run(pixeldrill() + " info " + v2);
  EXPECT_NE(info.out.find("format version 2; re-run pixeldrill index"), std::string::npos)
      << info.out;
  // The next `pixeldrill index` reuses every entry and writes format 3.
  const auto again = run(pixeldrill() + " index " + c + " -o " + v2 + " 2>&1");
  EXPECT_NE(again.out.find("0 read, 7 unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(index::MappedIndex::open(v2)->version(), 3u);
}

// A 20,000-file index spans many 64 KiB blocks: a byte flipped in the path of
// file 10,000 (mid-way through the string section) breaks only what reads that block.
TEST(MappedIndex, BlockChecksumsAreCheckedWhereAQueryReadsAndEverywhereByInfoVerify) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const auto base = index::build_index(c, nullptr, {2, false}, nullptr);
  index::CollectionIndex big = base;
  big.files.clear();
  for (size_t i = 0; i < 20000; ++i) {
    index::FileEntry f = base.files[i % base.files.size()];
    for (auto& t : f.times) t += static_cast<int64_t>(i / base.files.size()) * 10 * 365 * 86400;
    f.path = dir / ("f" + std::to_string(100000 + i) + ".nc");
    big.files.push_back(std::move(f));
  }
  const std::string path = dir / "big.pdx";
  index::write_index(big, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string victim = "f110000.nc";
  const size_t at = bytes.find(victim);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes.find(victim, at + 1), std::string::npos);
  bytes[at + 1] ^= 0x04;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  const auto m = index::MappedIndex::open(path);  // opens: the damaged block is not read
  EXPECT_EQ(m->path(0), big.files[0].path);
  EXPECT_EQ(m->file(0).vars.size(), big.files[0].vars.size());
  try {
    (void)m->path(10000);
    ADD_FAILURE() << "no error reading the damaged block";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checksum mismatch"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_THROW(index::read_index(path), Error);
  const auto verify = run(pixeldrill() + " info " + path + " --verify 2>&1");
  EXPECT_EQ(verify.status, 1) << verify.out;
  EXPECT_NE(verify.out.find("checksum mismatch"), std::string::npos) << verify.out;
}

// --product and mixed products on an index come from its product table.
TEST(MappedIndex, ProductTableCountsEveryProductWithTwoExamples) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  auto idx = index::build_index(c, nullptr, {2, false}, nullptr);
  ASSERT_GE(idx.files.size(), 3u);
  idx.files[0].path = dir / "20200101000000-ABOM-L3C_GHRSST-4h.nc";
  idx.files[1].path = dir / "20200101040000-ABOM-L3C_GHRSST-4h.nc";
  idx.files[2].path = dir / "20200101080000-ABOM-L3C_GHRSST-4h.nc";
  idx.files[3].path = dir / "20200101152000-ABOM-L3S_GHRSST-1d_night.nc";
  for (size_t i = 4; i < idx.files.size(); ++i)
    idx.files[i].path = dir / ("x" + std::to_string(i) + ".nc");
  const auto m = index::MappedIndex::in_memory(idx, "mem");
  ASSERT_EQ(m->products().size(), 2u);
  EXPECT_EQ(m->products()[0].key, "*-ABOM-L3C_GHRSST-4h.nc");
  EXPECT_EQ(m->products()[0].files, 3u);
  EXPECT_EQ(m->products()[0].first, 0u);
  EXPECT_EQ(m->products()[0].second, 1u);
  EXPECT_EQ(m->products()[1].files, 1u);
  EXPECT_EQ(m->products()[1].second, index::kNoProduct);
  EXPECT_EQ(m->unnamed_files().size(), idx.files.size() - 4);
  EXPECT_EQ(m->product_of(2), 0u);
  EXPECT_EQ(m->product_of(3), 1u);
  EXPECT_EQ(m->product_of(4), index::kNoProduct);
}

}  // namespace
}  // namespace pixeldrill::testing

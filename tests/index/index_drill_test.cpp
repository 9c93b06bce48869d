#include <gtest/gtest.h>
#include <netcdf.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "drill/index_dataset.h"
#include "drill/netcdf_dataset.h"
#include "index/indexer.h"
#include "index_test_util.h"
#include "io/byte_source.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;
using drill::Query;

drill::Series reference(const std::string& spec, const Query& q) {
  return drill::open_netcdf_dataset(spec)->drill(q);
}

std::unique_ptr<drill::IndexDataset> indexed(const std::string& collection, const std::string& out,
                                             codec::Inflater engine = codec::Inflater::kAuto) {
  auto idx = index::build_index(collection, nullptr, {1, false}, nullptr);
  index::write_index(idx, out);
  return std::make_unique<drill::IndexDataset>(out, index::read_index(out),
                                               drill::IndexDrillOptions{engine, 2});
}

std::vector<std::pair<std::string, Query>> queries() {
  std::vector<std::pair<std::string, Query>> all;
  Query point;
  point.sites = {{"", -40.0, 150.0}};
  all.emplace_back("point", point);
  Query stations = point;
  stations.sites = {{"a", -40, 150}, {"b", -45, 100}, {"c", -40.01, 150.02}, {"d", 10, 80}};
  stations.vars = {"sea_surface_temperature",
                   "quality_level",
                   "sea_ice_fraction",
                   "l2p_flags",
                   "sst_dtime",
                   "sses_bias",
                   "wind_speed"};
  all.emplace_back("stations, all types, era-missing variable", stations);
  Query qc = stations;
  qc.min_quality = 4;
  qc.celsius = true;
  all.emplace_back("--min-quality 4 --celsius", qc);
  Query box;
  box.box = drill::Box{-50, -30, 110, 160};
  all.emplace_back("box pixels", box);
  for (auto r :
       {drill::Reduce::kMean, drill::Reduce::kMin, drill::Reduce::kMax, drill::Reduce::kCount}) {
    Query reduced = box;
    reduced.reduce = r;
    all.emplace_back(std::string("box ") + drill::reduce_name(r), reduced);
  }
  Query ranged = point;
  ranged.time.from = 1451606400;  // 2016-01-01
  ranged.time.to = 1451779200;    // 2016-01-03
  all.emplace_back("time range", ranged);
  return all;
}

TEST(IndexDrill, BitIdenticalToReferenceOnMixedErasAndChunkLayouts) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  auto source = indexed(c, dir / "c.pdx");
  EXPECT_EQ(source->collection_index()->layouts.size(), 3u);  // 2015, 2016 chunks, 2020 no ice
  for (const auto& [what, q] : queries()) {
    const auto ref = reference(c, q);
    const auto got = source->drill(q);
    EXPECT_EQ(got.source, "index");
    expect_same_series(ref, got, what);
  }
  // The box must hold real values, or equality proves little.
  Query box;
  box.box = drill::Box{-50, -30, 110, 160};
  EXPECT_GT(valid_values(source->drill(box)), 1000u);
}

TEST(IndexDrill, EveryInflaterGivesTheSameAnswer) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  Query q;
  q.box = drill::Box{-50, -30, 110, 160};
  const auto ref = reference(c, q);
  for (auto e : {codec::Inflater::kZlib, codec::Inflater::kLibdeflate, codec::Inflater::kIsal,
                 codec::Inflater::kAuto}) {
    expect_same_series(ref, indexed(c, dir / "c.pdx", e)->drill(q), codec::inflater_name(e));
  }
}

TEST(IndexDrill, EachChunkIsDecodedOncePerQueryHoweverManyPixelsFallInIt) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  auto source = indexed(c, dir / "c.pdx");
  Query q;
  q.vars = {"sea_surface_temperature"};
  // Rows 70..72, columns 90..92 of the 90 x 120 grid: one (30 x 40) chunk.
  q.sites = {{"a", -50.2, 160.2}, {"b", -51.2, 161.2}, {"c", -52.2, 162.2}};
  q.time.to = 1451606399;  // the 2015 files only (2015-12-30 and 31)
  drill::IndexDrillStats stats;
  source->drill_with_stats(q, &stats);
  EXPECT_EQ(stats.chunks_decoded, 2u);  // 2 files x 1 chunk
}

// Counts the bytes the drill pulls through its byte sources.
class CountingSource : public io::ByteSource {
 public:
  CountingSource(std::unique_ptr<io::ByteSource> inner, std::atomic<uint64_t>& count)
      : inner_(std::move(inner)), count_(count) {}
  uint64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }
  void read(uint64_t offset, std::span<std::byte> out) const override {
    count_ += out.size();
    inner_->read(offset, out);
  }

 private:
  std::unique_ptr<io::ByteSource> inner_;
  std::atomic<uint64_t>& count_;
};

TEST(IndexDrill, StoppingEarlyReadsOnlyThePrefixOfTheCompressedChunk) {
  TempDir dir;
  const std::string c = dir / "c";
  // Decimate 2: 2250 x 3000, byte chunks 1125 x 1500, so chunks span several of the
  // 64 KiB blocks reads are rounded to (each checked against its CRC-32C).
  ASSERT_EQ(run(pixeldrill() + " synth " + c +
                " --from 2021-01-01 --to 2021-01-02 --decimate 2 -q --no-gaps"
                " --vars quality_level,sea_surface_temperature")
                .status,
            0);
  auto idx = index::build_index(c, nullptr, {1, false}, nullptr);
  index::write_index(idx, dir / "c.pdx");
  std::atomic<uint64_t> bytes{0};
  drill::IndexDrillOptions options{codec::Inflater::kAuto, 1, [&](const std::string& path) {
                                     return std::make_unique<CountingSource>(
                                         io::open_file_source(path), bytes);
                                   }};
  drill::IndexDataset source(dir / "c.pdx", index::read_index(dir / "c.pdx"), options);
  Query q;
  q.vars = {"quality_level"};
  q.sites = {{"", 19.9, 70.1}};  // first row and column: the start of the first chunk
  drill::IndexDrillStats stats;
  const auto got = source.drill_with_stats(q, &stats);
  expect_same_series(reference(c, q), got, "early stop");
  uint64_t stored = 0;
  for (const auto& f : idx.files) {
    size_t vi = 0;
    idx.layouts[f.layout].find("quality_level", &vi);
    stored += f.vars[vi].chunks[0].size;
  }
  EXPECT_EQ(stats.bytes_read, bytes.load());
  EXPECT_LT(bytes.load(), stored / 2) << "read " << bytes.load() << " of " << stored;
  EXPECT_LT(stats.bytes_inflated, 2u * 1125 * 1500 / 2);
}

TEST(IndexDrill, BitIdenticalOnRealFixtures) {
  for (const char* name :
       {"L3S-1d_day_2017_subset_a.nc", "L3S-1d_ngt_20150902-03_subset_unpacked.nc",
        "20250101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.grid-only.nc"}) {
    TempDir dir;
    const std::string file = fixture(name);
    auto source = indexed(file, dir / "f.pdx");
    const auto& g = source->collection_index()->grids[0];
    Query box;
    box.box = drill::Box{g.lat.min(), g.lat.max(), g.lon.min(), g.lon.max()};
    if (g.lat.size() * g.lon.size() > 200000) box.box = drill::Box{-33, -31, 114, 116};
    box.vars.clear();
    const auto& layout = source->collection_index()->layouts[0];
    for (const auto& v : layout.vars) {
      if (v.dims.size() == 3) box.vars.push_back(v.name);
    }
    const auto ref = reference(file, box);
    const auto got = source->drill(box);
    expect_same_series(ref, got, name);
    if (std::string(name).find("2017") != std::string::npos) {
      EXPECT_GT(valid_values(got), 100u);
    }
    Query point;
    point.sites = {{"", (g.lat.min() + g.lat.max()) / 2, (g.lon.min() + g.lon.max()) / 2}};
    expect_same_series(reference(file, point), source->drill(point), std::string(name) + " point");
  }
}

TEST(IndexDrill, FileChangedSinceIndexingIsSkippedByNameWithReindexAdvice) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  auto source = indexed(c, dir / "c.pdx");
  const std::string victim = source->collection_index()->files[1].path;
  std::ofstream(victim, std::ios::app) << "appended";
  Query q;
  q.sites = {{"", -40, 150}};
  const auto got = source->drill(q);
  ASSERT_EQ(got.problems.size(), 1u);
  EXPECT_EQ(got.problems[0].path, victim);
  EXPECT_NE(got.problems[0].reason.find("re-run pixeldrill index"), std::string::npos);
  EXPECT_EQ(got.rows.size(), source->collection_index()->files.size() - 1);
}

TEST(IndexDrill, CorruptChunkIsReportedWithFileVariableAndChunk) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  auto source = indexed(c, dir / "c.pdx");
  const auto& idx = *source->collection_index();
  const auto& f = idx.files[0];
  size_t vi = 0;
  idx.layouts[f.layout].find("sea_surface_temperature", &vi);
  const auto& ref = f.vars[vi].chunks[4];
  const auto stamp = fs::last_write_time(f.path);
  {
    std::fstream io(f.path, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(ref.offset + ref.size / 2));
    const std::string junk(16, '\x5a');
    io.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  fs::last_write_time(f.path, stamp);  // same size and time: only the decode can notice
  Query q;
  q.box = drill::Box{-70, 20, 70, 190};
  q.vars = {"sea_surface_temperature"};
  const auto got = source->drill(q);
  ASSERT_EQ(got.problems.size(), 1u);
  const std::string msg = got.problems[0].message();
  EXPECT_EQ(got.problems[0].path, f.path);
  EXPECT_NE(msg.find(f.path), std::string::npos) << msg;
  EXPECT_NE(msg.find("sea_surface_temperature"), std::string::npos) << msg;
  EXPECT_NE(msg.find("chunk 4"), std::string::npos) << msg;
}

// A NetCDF-4 file on a 1 x 4 x 5 (time, lat, lon) grid with CF coordinates,
// left in define mode so a test adds its one data variable; finish() writes
// the coordinates (time 1000 s, lat 1..-2, lon 10..14).
struct TinyGridFile {
  int nc = 0, vtime = 0, vlat = 0, vlon = 0;
  int dims[3] = {};

  explicit TinyGridFile(const std::string& path) {
    EXPECT_EQ(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &nc), NC_NOERR);
    nc_def_dim(nc, "time", 1, &dims[0]);
    nc_def_dim(nc, "lat", 4, &dims[1]);
    nc_def_dim(nc, "lon", 5, &dims[2]);
    nc_def_var(nc, "time", NC_INT, 1, &dims[0], &vtime);
    nc_put_att_text(nc, vtime, "units", 33, "seconds since 1981-01-01 00:00:00");
    nc_def_var(nc, "lat", NC_FLOAT, 1, &dims[1], &vlat);
    nc_put_att_text(nc, vlat, "units", 13, "degrees_north");
    nc_def_var(nc, "lon", NC_FLOAT, 1, &dims[2], &vlon);
    nc_put_att_text(nc, vlon, "units", 12, "degrees_east");
  }
  void finish_define() {
    nc_enddef(nc);
    const int t = 1000;
    const float lat[4] = {1, 0, -1, -2}, lon[5] = {10, 11, 12, 13, 14};
    nc_put_var_int(nc, vtime, &t);
    nc_put_var_float(nc, vlat, lat);
    nc_put_var_float(nc, vlon, lon);
  }
};

TEST(IndexDrill, VariableWithUnsupportedFilterIsRefusedByName) {
  TempDir dir;
  const std::string path = dir / "nbit.nc";
  TinyGridFile f(path);
  int vsst = 0;
  nc_def_var(f.nc, "sea_surface_temperature", NC_SHORT, 3, f.dims, &vsst);
  const size_t chunks[3] = {1, 2, 5};
  nc_def_var_chunking(f.nc, vsst, NC_CHUNKED, chunks);
  ASSERT_EQ(nc_def_var_filter(f.nc, vsst, 5 /* H5Z_FILTER_NBIT */, 0, nullptr), NC_NOERR);
  f.finish_define();
  short sst[20];
  for (int i = 0; i < 20; ++i) sst[i] = static_cast<short>(i);
  nc_put_var_short(f.nc, vsst, sst);
  ASSERT_EQ(nc_close(f.nc), NC_NOERR);

  auto source = indexed(path, dir / "n.pdx");
  Query q;
  q.sites = {{"", 0, 12}};
  q.vars = {"sea_surface_temperature"};
  const auto got = source->drill(q);
  ASSERT_EQ(got.problems.size(), 1u);
  const std::string msg = got.problems[0].message();
  EXPECT_NE(msg.find("sea_surface_temperature"), std::string::npos) << msg;
  EXPECT_NE(msg.find("filter 5"), std::string::npos) << msg;
}

TEST(IndexDrill, CfUnsignedBytesDecodeLikeTheReference) {
  TempDir dir;
  const std::string path = dir / "unsigned.nc";
  TinyGridFile f(path);
  int vq = 0;
  nc_def_var(f.nc, "counts", NC_BYTE, 3, f.dims, &vq);
  nc_def_var_deflate(f.nc, vq, 1, 1, 3);
  const signed char fill = -1;
  nc_def_var_fill(f.nc, vq, 0, &fill);
  nc_put_att_text(f.nc, vq, "_Unsigned", 4, "true");
  const double scale = 0.5;
  nc_put_att_double(f.nc, vq, "scale_factor", NC_DOUBLE, 1, &scale);
  f.finish_define();
  signed char q[20];
  for (int i = 0; i < 20; ++i) q[i] = static_cast<signed char>(i * 13 - 120);
  q[7] = -1;
  nc_put_var_schar(f.nc, vq, q);
  ASSERT_EQ(nc_close(f.nc), NC_NOERR);

  auto source = indexed(path, dir / "u.pdx");
  Query box;
  box.box = drill::Box{-2, 1, 10, 14};
  box.vars = {"counts"};
  const auto ref = reference(path, box);
  const auto got = source->drill(box);
  expect_same_series(ref, got, "_Unsigned byte");
  ASSERT_EQ(got.rows.size(), 20u);
  EXPECT_EQ(got.rows[0].values[0], (256 - 120) * 0.5);  // stored -120 means 136
  EXPECT_TRUE(std::isnan(got.rows[7].values[0]));       // stored -1 is the fill 255
}

TEST(IndexDrill, FilesOfAnotherGridAreRefusedByNameLikeTheReference) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  fs::copy_file(fixture("L3S-1d_day_2017_subset_a.nc"), c + "/2016/odd-grid.nc");
  auto source = indexed(c, dir / "c.pdx");
  Query q;
  q.sites = {{"", -40, 150}};
  try {
    source->drill(q);
    FAIL() << "expected an Error";
  } catch (const pixeldrill::Error& e) {
    EXPECT_NE(std::string(e.what()).find("odd-grid.nc"), std::string::npos) << e.what();
  }
  EXPECT_THROW(reference(c, q), pixeldrill::Error);
}

TEST(IndexDrill, DrillCommandRecognisesTheIndexByItsMagicBytes) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  ASSERT_EQ(
      run(pixeldrill() + " index " + c + " -o " + (dir / "any-name.bin") + " 2>/dev/null").status,
      0);
  const std::string args = " --point -40,150 --var sea_surface_temperature,sea_ice_fraction";
  const auto ref = run(pixeldrill() + " drill " + c + args + " 2>/dev/null");
  const auto got = run(pixeldrill() + " drill " + (dir / "any-name.bin") + args + " 2>/dev/null");
  EXPECT_EQ(got.status, 0);
  EXPECT_EQ(ref.out, got.out);
  EXPECT_EQ(lines(got.out).size(), 8u);  // header + 7 days
}

// `index --vars`: only those variables (and the coordinates) are indexed;
// they drill as the full index does, a variable left out is refused by name,
// and an update asks for the same variables.
TEST(IndexDrill, IndexOfSomeVariablesDrillsThemAndRefusesTheOthersByName) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const std::string all = dir / "all.pdx", some = dir / "some.pdx";
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + all + " 2>/dev/null").status, 0);
  const std::string vars = " --vars sea_surface_temperature,quality_level";
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + some + vars + " 2>/dev/null").status, 0);
  std::set<std::string> held;
  for (const auto& l : index::read_index(some).layouts) {
    for (const auto& v : l.vars) held.insert(v.name);
  }
  EXPECT_EQ(held, (std::set<std::string>{"lat", "lon", "time", "quality_level",
                                         "sea_surface_temperature"}));
  const std::string args =
      " --point -40,150 --var sea_surface_temperature,quality_level --precision full";
  const auto ref = run(pixeldrill() + " drill " + all + args + " 2>/dev/null");
  const auto got = run(pixeldrill() + " drill " + some + args + " 2>/dev/null");
  ASSERT_EQ(ref.status, 0);
  EXPECT_EQ(got.status, 0);
  EXPECT_EQ(got.out, ref.out);
  const auto left_out =
      run(pixeldrill() + " drill " + some + " --point -40,150 --var wind_speed 2>&1");
  // The same status as asking a folder for a variable it lacks.
  EXPECT_EQ(left_out.status,
            run(pixeldrill() + " drill " + c + " --point -40,150 --var no_such 2>&1").status);
  EXPECT_NE(left_out.status, 0);
  EXPECT_NE(left_out.out.find("wind_speed"), std::string::npos) << left_out.out;
  // An update with other variables would leave holes: refused, naming both.
  const auto other = run(pixeldrill() + " index " + c + " -o " + some + " --vars wind_speed 2>&1");
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.out.find("holds quality_level, sea_surface_temperature"), std::string::npos)
      << other.out;
  const auto same = run(pixeldrill() + " index " + c + " -o " + some + vars + " 2>&1");
  EXPECT_EQ(same.status, 0) << same.out;
  EXPECT_NE(same.out.find("(0 read,"), std::string::npos) << same.out;
  const auto unknown =
      run(pixeldrill() + " index " + c + " -o " + (dir / "x.pdx") + " --vars no_such 2>&1");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.out.find("'no_such'"), std::string::npos) << unknown.out;
  EXPECT_FALSE(fs::exists(dir / "x.pdx"));
}

}  // namespace
}  // namespace pixeldrill::testing

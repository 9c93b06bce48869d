// `mpirun -np N pixeldrill drill|index|refs|convert` writes the same bytes as
// one process (N = 1, 2, 3 on this 2-core machine, oversubscribed); a rank
// killed mid-convert leaves a store the same command finishes identically; a
// file a rank cannot read is skipped as one process skips it, and an error on
// one rank stops every rank with a message naming it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "mpi_test_util.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

class MpiCommands : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    if (!mpi_unavailable().empty()) return;
    // Files say when they were made (NetCDF and store date_created/history):
    // fixed, so runs at different times can be the same bytes.
    ::setenv("SOURCE_DATE_EPOCH", "1764633600", 1);
    tmp_ = new TempDir("pixeldrill-mpi");
    // 14 days, 90 x 120: several time blocks of 4 days and files for 3 ranks.
    const auto r = run(pixeldrill_bin() + " synth " + coll() +
                       " --from 2019-12-25 --to 2020-01-07 --decimate 50 --seed 3 --no-gaps -q");
    ASSERT_EQ(r.status, 0);
    std::ofstream stations(tmp_->str("stations.csv"));
    stations << "id,lat,lon\n";
    // 7 stations: uneven shares on 2 and 3 ranks, two on the same pixel.
    const double where[][2] = {{-32, 115}, {-20, 150}, {-40, 140}, {-10, 120},
                               {-55, 160}, {-32, 115}, {5, 100}};
    for (int i = 0; i < 7; ++i) {
      stations << "S" << i << "," << where[i][0] << "," << where[i][1] << "\n";
    }
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static std::string coll() { return tmp_->str("coll"); }
  static std::string stations() { return tmp_->str("stations.csv"); }

  // Runs ARGS with N ranks (0: no mpirun); returns stdout, asserting `status`.
  static std::string run_ok(int ranks, const std::string& args, int status = 0,
                            const std::string& env = "") {
    const auto r = run(mpi_command(ranks, args, env));
    EXPECT_EQ(r.status, status) << ranks << " ranks: " << args;
    return r.out;
  }

  static inline TempDir* tmp_ = nullptr;
};

TEST_F(MpiCommands, DrillStationsAndLongRangesAreByteIdentical) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  const std::string q =
      " --stations " + stations() + " --var sea_surface_temperature,quality_level";
  // Stations split across ranks; a point over a long range split by time.
  const std::string csv1 = run_ok(0, "drill " + coll() + q);
  const std::string point1 =
      run_ok(0, "drill " + coll() + " --point -32,115 --from 2019-12-25 --to 2020-01-07");
  const std::string json1 = run_ok(0, "drill " + coll() + q + " --format json");
  // The same command (its history attribute holds it, -o too) in a folder per
  // run; SOURCE_DATE_EPOCH (set for the suite) fixes when it says it was made.
  const std::string fixed_time = "SOURCE_DATE_EPOCH=1764633600";
  auto netcdf = [&](int n, const std::string& env) {
    const std::string folder =
        out.str("nc-" + std::to_string(n) + (env == fixed_time ? "" : "-now"));
    fs::create_directories(folder);
    const auto r =
        run("cd " + folder + " && " + mpi_command(n, "drill " + coll() + q + " -o series.nc", env));
    EXPECT_EQ(r.status, 0) << n << " ranks";
    return folder + "/series.nc";
  };
  const std::string nc1 = netcdf(0, fixed_time);
  ASSERT_EQ(lines(csv1).size(), 1u + 14 * 7);
  ASSERT_EQ(lines(point1).size(), 1u + 14);
  for (int n : {1, 2, 3}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(run_ok(n, "drill " + coll() + q), csv1);
    EXPECT_EQ(run_ok(n, "drill " + coll() + " --point -32,115 --from 2019-12-25 --to 2020-01-07"),
              point1);
    EXPECT_EQ(run_ok(n, "drill " + coll() + q + " --format json"), json1);
    EXPECT_EQ(read_text(netcdf(n, fixed_time)), read_text(nc1));
  }
  // The NetCDF file as netCDF-C reads it: 7 stations x 14 times, made when
  // SOURCE_DATE_EPOCH says, its history the command (no launcher, no rank).
  const auto dump = run("ncdump -h " + nc1);
  EXPECT_NE(dump.out.find("station = 7"), std::string::npos) << dump.out;
  EXPECT_NE(dump.out.find(":date_created = \"2025-12-02T00:00:00Z\""), std::string::npos)
      << dump.out;
  EXPECT_NE(dump.out.find(":history = \"2025-12-02T00:00:00Z pixeldrill drill " + coll()),
            std::string::npos)
      << dump.out;
  // Without it the files differ only in when they were made.
  auto dump_without_time = [](const std::string& path) {
    std::string kept;
    for (const auto& line : lines(run("ncdump " + path).out)) {
      if (line.find(":date_created") == std::string::npos &&
          line.find(":history") == std::string::npos && line.find("netcdf ") != 0) {
        kept += line + "\n";
      }
    }
    return kept;
  };
  EXPECT_EQ(dump_without_time(netcdf(2, "env -u SOURCE_DATE_EPOCH")), dump_without_time(nc1));
}

TEST_F(MpiCommands, DrillThroughIndexAndStoreSplitsByTime) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  run_ok(0, "index " + coll() + " -o " + out.str("c.pdx"));
  run_ok(0, "convert " + coll() + " -o " + out.str("s.zarr") + " -q --chunks 4,32,32");
  for (const std::string& source : {out.str("c.pdx"), out.str("s.zarr")}) {
    const std::string args = "drill " + source + " --point -20,150 --aggregate week";
    const std::string one = run_ok(0, args);
    ASSERT_GT(lines(one).size(), 2u) << one;
    for (int n : {2, 3}) EXPECT_EQ(run_ok(n, args), one) << source << " " << n;
    // Stations on land (S0, S5): the notes saying so are about the whole
    // range, said once, not one per time share; --nearest-valid chooses its
    // pixels over the whole range too.
    const std::string notes = "drill " + source + " --stations " + stations() + " --format json";
    const std::string nearest =
        "drill " + source + " --stations " + stations() + " --nearest-valid 300 --format json";
    const std::string notes1 = run_ok(0, notes), nearest1 = run_ok(0, nearest);
    ASSERT_NE(notes1.find("no valid value at station 'S0' (-32,115) in the whole collection"),
              std::string::npos)
        << notes1;
    ASSERT_NE(nearest1.find("pixel_distance"), std::string::npos) << nearest1;
    for (int n : {2, 3}) {
      EXPECT_EQ(run_ok(n, notes), notes1) << source << " " << n;
      EXPECT_EQ(run_ok(n, nearest), nearest1) << source << " " << n;
    }
  }
}

TEST_F(MpiCommands, IndexAndRefsAreByteIdentical) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  run_ok(0, "index " + coll() + " -o " + out.str("one.pdx"));
  run_ok(0, "refs " + coll() + " -o " + out.str("refs1"));
  const std::string one = read_text(out.str("one.pdx"));
  ASSERT_GT(one.size(), 1000u);
  for (int n : {1, 2, 3}) {
    SCOPED_TRACE(n);
    const std::string idx = out.str("n" + std::to_string(n) + ".pdx");
    run_ok(n, "index " + coll() + " -o " + idx);
    EXPECT_EQ(read_text(idx), one);
    const std::string refs = out.str("refs-n" + std::to_string(n));
    run_ok(n, "refs " + coll() + " -o " + refs);
    EXPECT_EQ(tree_bytes(refs), tree_bytes(out.str("refs1")));
  }
  // An update under mpirun: one file changed and one removed, the rest reused.
  const std::string updated = out.str("n3.pdx");
  fs::remove(coll() + "/2020/20200107152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc");
  run_ok(0, "index " + coll() + " -o " + out.str("one.pdx"));
  run_ok(2, "index " + coll() + " -o " + updated);
  EXPECT_EQ(read_text(updated), read_text(out.str("one.pdx")));
  // Put the day back for the other tests.
  ASSERT_EQ(run(pixeldrill_bin() + " synth " + coll() +
                " --from 2020-01-07 --to 2020-01-07 --decimate 50 --seed 3 --no-gaps -q")
                .status,
            0);
}

TEST_F(MpiCommands, ConvertIsByteIdenticalAndResumesAfterAKilledRank) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  const std::string opts = " -q --chunks 4,32,32";
  run_ok(0, "convert " + coll() + " -o " + out.str("one") + opts);
  const auto one = tree_bytes(out.str("one"));
  ASSERT_GT(one.size(), 30u);
  for (int n : {1, 2, 3}) {
    const std::string store = out.str("n" + std::to_string(n));
    run_ok(n, "convert " + coll() + " -o " + store + opts);
    EXPECT_EQ(tree_bytes(store), one) << n << " ranks";
  }
  // Rank 1 of 2 dies (as by kill -9) after its 3rd chunk file; the job stops.
  const std::string store = out.str("killed");
  const auto killed = run(mpi_command(2, "convert " + coll() + " -o " + store + opts,
                                      "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=3 "
                                      "PIXELDRILL_TEST_CRASH_RANK=1") +
                          " 2>&1");
  ASSERT_NE(killed.status, 0) << killed.out;
  ASSERT_NE(killed.status, 124) << "mpirun hung after a rank died";
  EXPECT_NE(tree_bytes(store), one);
  // The same command again finishes the store: identical, markers gone.
  run_ok(2, "convert " + coll() + " -o " + store + opts);
  EXPECT_EQ(tree_bytes(store), one);
  EXPECT_FALSE(fs::exists(fs::path(store) / ".pixeldrill/blocks"));
  // And a store killed under 3 ranks finishes in one process, identical too.
  const std::string other = out.str("killed3");
  run(mpi_command(3, "convert " + coll() + " -o " + other + opts,
                  "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=2 PIXELDRILL_TEST_CRASH_RANK=2") +
      " 2>&1");
  run_ok(0, "convert " + coll() + " -o " + other + opts);
  EXPECT_EQ(tree_bytes(other), one);
}

}  // namespace
}  // namespace pixeldrill::testing

namespace pixeldrill::testing {
namespace {

// A copy of the collection whose last day has a damaged SST chunk: metadata
// intact (it lists and scans), the deflate stream of one chunk garbage.
std::string damaged_copy(const TempDir& out, const std::string& coll, std::string* damaged) {
  const std::string copy = out.str("damaged");
  fs::copy(coll, copy, fs::copy_options::recursive);
  *damaged = copy + "/2020/20200107152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
  const auto r = run(python() +
                     " -c \"import h5py,sys\n"
                     "p=sys.argv[1]\n"
                     "with h5py.File(p,'r') as f: c=f['sea_surface_temperature'].id."
                     "get_chunk_info(0)\n"
                     "with open(p,'r+b') as g: g.seek(c.byte_offset+c.size//2); "
                     "g.write(bytes(range(7,71)))\n\" " +
                     *damaged);
  EXPECT_EQ(r.status, 0);
  return copy;
}

// A store on S3 is staged in one process's work folder: several ranks are
// refused before anything is read or written (no S3 server is needed to see it).
TEST_F(MpiCommands, ConvertIntoS3IsRefusedOnSeveralRanks) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir work;
  const auto r = run(mpi_command(2, "convert " + coll() +
                                        " -q -o s3://bucket/sst.zarr --work-dir " + work.str("w")) +
                     " 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("s3://bucket/sst.zarr: converting into S3 runs in one process"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(work.str("w")));
}

// Every rank would index the whole remote collection on its own.
TEST_F(MpiCommands, ConvertOfARemoteCollectionSaysToIndexItFirstOnSeveralRanks) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir work;
  std::ofstream(work.str("urls.txt")) << "http://127.0.0.1:9/a.nc\n";
  const auto r =
      run(mpi_command(2, "convert @" + work.str("urls.txt") + " -q -o " + work.str("s.zarr")) +
          " 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("under mpirun, index the remote collection first"), std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(work.str("s.zarr")));
}

TEST_F(MpiCommands, ARankThatCannotReadAFileSkipsItAsOneProcessDoes) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  std::string damaged;
  const std::string copy = damaged_copy(out, coll(), &damaged);
  // Blocks of 4 days (4, 4, 4, 2) in consecutive shares: the last (damaged) day is the
  // last rank's, on 2 ranks and on 3.
  // (A fresh store each: a second run into the first's store would resume it.)
  const std::string args =
      "convert " + copy + " -q --chunks 4,32,32 --vars sea_surface_temperature";
  // One process stores that day as fill, records the file and exits 3 (partial).
  const auto one = run(mpi_command(0, args + " -o " + out.str("s1")) + " 2>&1");
  ASSERT_EQ(one.status, 3) << one.out;
  ASSERT_NE(one.out.find("pixeldrill convert: skipped " + damaged), std::string::npos) << one.out;
  for (int n : {2, 3}) {
    SCOPED_TRACE(n);
    const std::string store = out.str("s" + std::to_string(n));
    const auto r = run(mpi_command(n, args + " -o " + store) + " 2>&1");
    EXPECT_EQ(r.status, 3) << r.out;  // not 124: nobody waited forever
    // Named once (by rank 0), with the rank that read it.
    const std::string said = "pixeldrill convert: skipped " + damaged;
    const size_t at = r.out.find(said);
    ASSERT_NE(at, std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(said, at + 1), std::string::npos) << r.out;
    const std::string who =
        "(read by rank " + std::to_string(n - 1) + " of " + std::to_string(n) + ")";
    EXPECT_NE(r.out.find(who, at), std::string::npos) << r.out;
    // The same store, journal (with its skipped file) and manifest included.
    EXPECT_EQ(tree_bytes(store), tree_bytes(out.str("s1")));
  }
  // A drill skips the damaged file on whichever rank reads it, as one process does.
  const std::string q = "drill " + copy + " --stations " + stations();
  const auto drill_one = run(mpi_command(0, q));
  EXPECT_EQ(drill_one.status, 3);
  for (int n : {2, 3}) {
    const auto r = run(mpi_command(n, q));
    EXPECT_EQ(r.status, 3) << n;
    EXPECT_EQ(r.out, drill_one.out) << n;
  }
}

// An error one rank alone meets (an altered store chunk only its stations
// read) ends every rank with one message naming the rank and the chunk, and
// the status one process gives; nobody waits forever for that rank.
TEST_F(MpiCommands, AnErrorOnOneRankStopsEveryRankWithItsName) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  const std::string store = out.str("s.zarr");
  run_ok(0, "convert " + coll() + " -o " + store + " -q --chunks 4,32,32");
  // Stations split 4 + 3 on 2 ranks: S4 (-55, 160) is rank 1's, and the only
  // one in spatial chunk (2, 2) of a 90 x 120 grid starting at 20N, 70E.
  size_t altered = 0;
  for (const auto& e : fs::directory_iterator(fs::path(store) / "sea_surface_temperature")) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".2.2")) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(e.file_size() / 2));
    f.put('\x5a');
    ++altered;
  }
  ASSERT_GT(altered, 0u);
  const std::string q = "drill " + store + " --stations " + stations();
  const auto one = run(mpi_command(0, q) + " 2>&1");
  ASSERT_EQ(one.status, 1) << one.out;
  ASSERT_NE(one.out.find("sea_surface_temperature/"), std::string::npos) << one.out;
  const auto two = run(mpi_command(2, q) + " 2>&1");
  EXPECT_EQ(two.status, 1) << two.out;  // not 124: nobody waited forever
  const std::string said = "pixeldrill drill: error: rank 1 of 2: ";
  const size_t at = two.out.find(said);
  ASSERT_NE(at, std::string::npos) << two.out;
  EXPECT_NE(two.out.find("sea_surface_temperature/", at), std::string::npos) << two.out;
  EXPECT_EQ(two.out.find("error: rank", at + said.size()), std::string::npos) << two.out;  // once
}

}  // namespace
}  // namespace pixeldrill::testing

namespace pixeldrill::testing {
namespace {

// Stations split by blocks over the ranks (a store; a folder without
// --from/--to): a rank whose stations all lie outside the grid answers as one
// process does (the others drilled, a warning for each station off the grid,
// exit 3), not as a query of those stations alone (refused, exit 2).
TEST_F(MpiCommands, ARankWhoseStationsAllLieOutsideTheGridAnswersAsOneProcess) {
  PIXELDRILL_REQUIRE_MPI();
  TempDir out;
  const std::string store = out.str("s.zarr");
  run_ok(0, "convert " + coll() + " -o " + store + " -q --chunks 4,32,32");
  // Off the grid (lat -69.5..19.5, lon 70.5..189.5): O*. Shares of 4 sites:
  // 2 + 2 on 2 ranks, 2 + 1 + 1 on 3; "last" puts them on ranks 1 and 2,
  // "first" on rank 0 (2 ranks) and ranks 0 and 1 (3 ranks).
  const std::map<std::string, std::string> orders = {
      {"last", "id,lat,lon\nA,-32,115\nB,-20,150\nO1,50,0\nO2,60,10\n"},
      {"first", "id,lat,lon\nO1,50,0\nO2,60,10\nA,-32,115\nB,-20,150\n"}};
  for (const auto& [name, text] : orders) {
    const std::string csv = out.str(name + ".csv");
    std::ofstream(csv) << text;
    for (const std::string& source : {store, coll()}) {
      const std::string q = "drill " + source + " --stations " + csv + " -o ";
      auto answer = [&](int n) {
        const std::string tag = name + std::to_string(n);
        const auto r = run(mpi_command(n, q + out.str(tag + ".csv"), "PIXELDRILL_PROGRESS=0") +
                           " 2>" + out.str(tag + ".err"));
        EXPECT_EQ(r.status, 3) << n << " ranks, " << q;
        std::string said;  // pixeldrill's own lines (not mpirun's)
        std::istringstream err(read_text(out.str(tag + ".err")));
        for (std::string line; std::getline(err, line);) {
          if (line.starts_with("pixeldrill drill: ")) said += line + "\n";
        }
        return std::make_pair(read_text(out.str(tag + ".csv")), said);
      };
      const auto one = answer(0);
      ASSERT_NE(one.second.find("site 'O2' (60,10) lies outside the grid"), std::string::npos)
          << one.second;
      ASSERT_NE(one.first.find("\n2019-12-25T15:20:00Z,B,"), std::string::npos) << one.first;
      for (int n : {2, 3}) {
        SCOPED_TRACE(name + ", " + std::to_string(n) + " ranks, " + source);
        const auto many = answer(n);
        EXPECT_EQ(many.first, one.first);
        EXPECT_EQ(many.second, one.second);
      }
    }
  }
}

}  // namespace
}  // namespace pixeldrill::testing

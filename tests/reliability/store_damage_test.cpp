// Issue 10, items 2, 6 and 8: a store is never read as data when it is
// incomplete or damaged. A drill of a store whose conversion was killed
// answers the days not yet converted from the source files; two writers
// never run at once; a chunk that went missing or was altered, a deleted
// time chunk, or metadata edited since the store was written are errors
// naming the file (a chunk the store never wrote is fill, as Zarr says); a
// source file with a damaged chunk is skipped, recorded in the store and
// reported by every drill over its day.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../store/store_fixture.h"
#include "core/error.h"
#include "drill/dataset.h"

namespace pixeldrill::store_test {
namespace {
namespace fs = std::filesystem;

class StoreDamage : public StoreFixture {
 protected:
  static constexpr const char* kArgs = "--chunks 8,32,32 --threads 2";
  // A converted copy of the fixture collection, made once per test.
  std::string fresh_store(TempDir& out, const std::string& name = "store") {
    const std::string store = out.str(name);
    EXPECT_EQ(convert(coll(), store, kArgs), 0);
    return store;
  }
  static RunResult drill_json(const std::string& store, const std::string& args,
                              const std::string& err_file) {
    return run(bin() + " drill " + store + " " + args + " --format json 2>" + err_file);
  }
  // Same days, and the same SST up to the store's float32 (exact mode).
  static void expect_same_series(const nlohmann::json& store, const nlohmann::json& folder) {
    ASSERT_EQ(store["data"].size(), folder["data"].size());
    for (size_t i = 0; i < store["data"].size(); ++i) {
      const auto& a = store["data"][i];
      const auto& b = folder["data"][i];
      EXPECT_EQ(a["time"], b["time"]) << i;
      const double x = value(a, "sea_surface_temperature"), y = value(b, "sea_surface_temperature");
      EXPECT_EQ(std::isnan(x), std::isnan(y)) << i;
      if (!std::isnan(x)) {
        EXPECT_EQ(static_cast<float>(x), static_cast<float>(y)) << i;
      }
    }
  }
  static void flip_byte(const fs::path& file, uint64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  }
  // The SST series at (-30, 155): what the tests of an open store drill.
  static drill::Query sst_point() {
    drill::Query q;
    q.vars = {"sea_surface_temperature"};
    q.sites = {{"", -30, 155}};
    return q;
  }
  // The same days and values, NaN where `expected` has NaN.
  static void expect_same_rows(const drill::Series& got, const drill::Series& expected) {
    ASSERT_EQ(got.rows.size(), expected.rows.size());
    for (size_t i = 0; i < got.rows.size(); ++i) {
      EXPECT_EQ(got.rows[i].time, expected.rows[i].time);
      const double a = got.rows[i].values[0], b = expected.rows[i].values[0];
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << i << ": " << a << " " << b;
    }
  }
};

constexpr const char* kPoint = "--point -30,155";  // a sea pixel of the fixture

TEST_F(StoreDamage, KilledConversionAnswersTheRestFromTheSourceFiles) {
  TempDir out;
  const std::string store = out.str("killed");
  // 24 files in blocks of 8: killed during the second block, so 8 days are
  // committed and 16 are not.
  const int status = convert(coll(), store, kArgs, "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=30");
  ASSERT_EQ(status, 137);
  const auto stamp = nlohmann::json::parse(read_text(fs::path(store) / ".pixeldrill/sources.json"));
  ASSERT_FALSE(stamp["finished"].get<bool>());
  ASSERT_GT(stamp["steps"].get<int>(), 0);
  ASSERT_LT(stamp["steps"].get<int>(), 24);

  const auto folder = drill(coll(), kPoint);
  const auto r = drill_json(store, kPoint, out.str("err.txt"));
  ASSERT_EQ(r.status, 0) << read_text(out.path() / "err.txt");
  const auto got = nlohmann::json::parse(r.out);
  EXPECT_FALSE(got["partial"].get<bool>());
  ASSERT_GT(got["data"].size(), stamp["steps"].get<size_t>());
  expect_same_series(got, folder);
  EXPECT_NE(got["source"].get<std::string>().find("newer than the store"), std::string::npos)
      << got["source"];
  EXPECT_NE(read_text(out.path() / "err.txt").find("is incomplete"), std::string::npos)
      << read_text(out.path() / "err.txt");
  // Resumed: complete, and the drill no longer needs the source files.
  ASSERT_EQ(convert(coll(), store, kArgs), 0);
  const auto done = drill(store, kPoint);
  expect_same_series(done, folder);
  EXPECT_EQ(done["source"].get<std::string>().find("newer than the store"), std::string::npos);
}

TEST_F(StoreDamage, SecondAppendOfTwoRealProcessesIsRefusedAndTheStoreStaysRight) {
  TempDir out;
  synth(out.str("coll"), "2020-03-01", "2020-03-10");
  const std::string store = out.str("store");
  ASSERT_EQ(convert(out.str("coll"), store, kArgs), 0);
  synth(out.str("coll"), "2020-03-11", "2020-03-20");
  const std::string held = out.str("held");
  const std::string append =
      bin() + " convert " + out.str("coll") + " -o " + store + " -q " + kArgs + " --append";
  // First writer: holds the lock until `held` is removed.
  const pid_t first = ::fork();
  if (first == 0) {
    ::setenv("PIXELDRILL_TEST_HOLD_LOCK", held.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", (append + " 2>/dev/null").c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 6000 && !fs::exists(held); ++i) ::usleep(10000);
  ASSERT_TRUE(fs::exists(held)) << "first writer never took the lock";
  const auto second = run(append + " 2>" + out.str("err.txt"));
  const std::string err = read_text(out.path() / "err.txt");
  EXPECT_EQ(second.status, 1) << err;
  EXPECT_NE(err.find("another pixeldrill convert is writing this store"), std::string::npos) << err;
  fs::remove(held);
  int st = 0;
  ASSERT_EQ(::waitpid(first, &st, 0), first);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  const auto journal =
      nlohmann::json::parse(read_text(fs::path(store) / ".pixeldrill/journal.json"));
  const auto folder = drill(out.str("coll"), kPoint);
  EXPECT_EQ(journal["times"].size(), folder["data"].size());  // each day once
  expect_same_series(drill(store, kPoint), folder);
}

TEST_F(StoreDamage, DeletedTimeChunkIsAnErrorNotTheEpoch) {
  TempDir out;
  const std::string store = fresh_store(out);
  fs::remove(fs::path(store) / "time/0");
  const auto r = drill_json(store, kPoint, out.str("err.txt"));
  const std::string err = read_text(out.path() / "err.txt");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(r.out.find("1981-01-01"), std::string::npos);
  EXPECT_NE(err.find("time/0"), std::string::npos) << err;
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

TEST_F(StoreDamage, MissingOrAlteredChunkIsAnErrorAndANeverWrittenOneIsFill) {
  TempDir out;
  const std::string store = fresh_store(out);
  const auto before = drill(store, kPoint);
  // The chunk holding the point's first days (row -30.1 of a 90-row grid
  // starting at the north...): find it as the one whose removal the drill notices.
  const fs::path sst = fs::path(store) / "sea_surface_temperature";
  std::vector<fs::path> chunks;
  for (const auto& e : fs::directory_iterator(sst)) {
    if (e.path().filename().string()[0] != '.') chunks.push_back(e.path());
  }
  ASSERT_FALSE(chunks.empty());
  // A flipped byte in every chunk: whichever the drill reads, it must notice.
  fs::copy(store, out.str("altered"), fs::copy_options::recursive);
  for (const auto& c : chunks) {
    flip_byte(out.path() / "altered/sea_surface_temperature" / c.filename(), fs::file_size(c) / 2);
  }
  const auto altered = drill_json(out.str("altered"), kPoint, out.str("err1.txt"));
  const std::string err1 = read_text(out.path() / "err1.txt");
  EXPECT_EQ(altered.status, 1) << altered.out;
  EXPECT_NE(err1.find("CRC-32C"), std::string::npos) << err1;
  EXPECT_NE(err1.find("sea_surface_temperature/"), std::string::npos) << err1;

  // Every chunk file removed: the ones the drill reads are named as missing.
  for (const auto& c : chunks) fs::remove(c);
  const auto missing = drill_json(store, kPoint, out.str("err2.txt"));
  const std::string err2 = read_text(out.path() / "err2.txt");
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_NE(err2.find("chunk file is missing"), std::string::npos) << err2;
  (void)before;
}

// A store opened once (as a server keeps it) keeps the first block of each
// chunk it verified (store/head_block_cache.h): altering those bytes on disk
// afterwards changes nothing for it, since it answers from what it verified,
// and a store opened anew reads the disk and names the damage.
TEST_F(StoreDamage, AnOpenStoreAnswersFromVerifiedFirstBlocksAndANewOpenSeesTheDamage) {
  TempDir out;
  const std::string store = fresh_store(out);
  const drill::Query q = sst_point();
  const auto served = drill::open_dataset(store);
  const auto before = served->drill(q);
  ASSERT_GT(before.rows.size(), 8u);
  for (const auto& e : fs::directory_iterator(fs::path(store) / "sea_surface_temperature")) {
    if (e.path().filename().string()[0] != '.') flip_byte(e.path(), 20);  // inside the first block
  }
  expect_same_rows(served->drill(q), before);
  try {
    drill::open_dataset(store)->drill(q);
    ADD_FAILURE() << "a store opened anew read the altered first blocks without an error";
  } catch (const pixeldrill::Error& e) {
    EXPECT_NE(std::string(e.what()).find("CRC-32C"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sea_surface_temperature/"), std::string::npos)
        << e.what();
  }
}

// A served store keeps its chunk files open (io::OpenFiles): a chunk file
// renamed over afterwards by a damaged copy leaves the open store's answers
// as they were (it reads the file it verified), and a new open names the
// damage. A kept file damaged in place fails its check (it is the same
// file) and, once repaired, answers again.
TEST_F(StoreDamage, AnOpenStoreReadsTheChunkFilesItVerifiedAndANewOpenSeesTheDamage) {
  TempDir out;
  const std::string store = out.str("store");
  // One chunk file larger than the first 16 KiB checksum block, which the
  // open store keeps in memory: the point's series is read from the file.
  ASSERT_EQ(convert(coll(), store, "--chunks 32,90,120"), 0);
  const fs::path chunk = fs::path(store) / "sea_surface_temperature" / "0.0.0";
  const uint64_t size = fs::file_size(chunk);
  ASSERT_GT(size, 4 * 16384u);
  const drill::Query q = sst_point();
  const auto served = drill::open_dataset(store);
  const auto before = served->drill(q);
  ASSERT_GT(before.rows.size(), 8u);
  const fs::path damaged = chunk.string() + ".damaged";
  fs::copy_file(chunk, damaged);
  for (uint64_t at = 16384; at < size; at += 97) flip_byte(damaged, at);
  fs::rename(damaged, chunk);
  expect_same_rows(served->drill(q), before);
  auto expect_crc_error = [&](const drill::Dataset& d) {
    try {
      d.drill(q);
      ADD_FAILURE() << "altered chunk bytes read without an error";
    } catch (const pixeldrill::Error& e) {
      EXPECT_NE(std::string(e.what()).find("CRC-32C"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("sea_surface_temperature/0.0.0"), std::string::npos)
          << e.what();
    }
  };
  const auto reopened = drill::open_dataset(store);
  expect_crc_error(*reopened);
  // Repaired by renaming a good copy in; the reopened store's kept file was
  // the damaged one and was let go, so it now answers.
  ASSERT_EQ(convert(coll(), out.str("good"), "--chunks 32,90,120"), 0);
  const fs::path good = fs::path(out.str("good")) / "sea_surface_temperature" / "0.0.0";
  fs::copy_file(good, damaged);
  fs::rename(damaged, chunk);
  expect_same_rows(reopened->drill(q), before);
  // Damaged in place: the same file, so the open store sees it.
  for (uint64_t at = 16384; at < size; at += 97) flip_byte(chunk, at);
  expect_crc_error(*reopened);
  for (uint64_t at = 16384; at < size; at += 97) flip_byte(chunk, at);
  expect_same_rows(reopened->drill(q), before);
}

TEST_F(StoreDamage, NeverWrittenChunkIsFillAndOneAppearingThereIsAnError) {
  TempDir out;
  // Small spatial chunks: some hold only land (all fill), so are never written.
  const std::string store = out.str("store");
  ASSERT_EQ(convert(coll(), store, "--chunks 8,8,8"), 0);
  const std::string box = " --box -90,90,-180,180 --from 2019-12-18 --to 2019-12-18 --format csv";
  const auto clean = run(bin() + " drill " + store + box + " 2>/dev/null");
  ASSERT_EQ(clean.status, 0);
  const fs::path sst = fs::path(store) / "sea_surface_temperature";
  std::string absent, present;
  for (int y = 0; y < 12; ++y) {
    for (int x = 0; x < 15; ++x) {
      const std::string key = "0." + std::to_string(y) + "." + std::to_string(x);
      // The first of each: an absent chunk inside the box (lon <= 180).
      std::string& slot = fs::exists(sst / key) ? present : absent;
      if (slot.empty()) slot = key;
    }
  }
  if (absent.empty() || present.empty()) GTEST_SKIP() << "the fixture has no all-fill chunk";
  fs::copy_file(sst / present, sst / absent);
  const auto r = run(bin() + " drill " + store + box + " 2>" + out.str("err.txt") + " >/dev/null");
  const std::string err = read_text(out.path() / "err.txt");
  EXPECT_EQ(r.status, 1) << err;
  EXPECT_NE(err.find("never wrote this chunk"), std::string::npos) << err;
}

TEST_F(StoreDamage, EditedOrderOrChunksInMetadataAreRefused) {
  TempDir out;
  const std::string store = fresh_store(out);
  const fs::path zmeta = fs::path(store) / ".zmetadata";
  const std::string original = read_text(zmeta);
  struct Edit {
    std::string from, to;
  };
  for (const auto& [from, to] :
       {Edit{"\"order\": \"F\"", "\"order\": \"C\""},
        Edit{"\"chunks\": [\n                8,", "\"chunks\": [\n                4,"}}) {
    std::string edited = original;
    const auto at = edited.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    edited.replace(at, from.size(), to);
    { std::ofstream(zmeta, std::ios::binary) << edited; }
    const auto r = drill_json(store, kPoint, out.str("err.txt"));
    const std::string err = read_text(out.path() / "err.txt");
    EXPECT_EQ(r.status, 1) << from << ": " << r.out;
    EXPECT_NE(err.find("differs from what the store was written with"), std::string::npos) << err;
  }
  { std::ofstream(zmeta, std::ios::binary) << original; }
  EXPECT_EQ(drill_json(store, kPoint, "/dev/null").status, 0);
}

TEST_F(StoreDamage, SourceFileWithADamagedChunkIsSkippedRecordedAndReported) {
  TempDir out;
  fs::copy(coll(), out.str("coll"), fs::copy_options::recursive);
  // Damage the SST chunk bytes of one day's file (the chunk data is the bulk
  // of a small file: flip bytes in its middle and end, keeping the metadata).
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(out.path() / "coll")) {
    if (e.is_regular_file() && e.path().extension() == ".nc") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 10u);
  const fs::path victim = files[5];
  const std::string day = victim.filename().string().substr(0, 8);  // YYYYMMDD
  const std::string iso = day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2);
  // Find the SST chunk's bytes with h5py and corrupt them.
  const auto py = run("/usr/bin/python3 -c \"import h5py; f=h5py.File('" + victim.string() +
                      "','r'); c=f['sea_surface_temperature'].id.get_chunk_info(0); "
                      "print(c.byte_offset, c.size)\"");
  ASSERT_EQ(py.status, 0);
  uint64_t offset = 0, size = 0;
  std::sscanf(py.out.c_str(), "%lu %lu", &offset, &size);
  ASSERT_GT(size, 16u);
  for (uint64_t k = 2; k < size; k += 7) flip_byte(victim, offset + k);
  const auto conv = run(bin() + " convert " + out.str("coll") + " -o " + out.str("store") + " -q " +
                        kArgs + " 2>" + out.str("conv.txt"));
  const std::string conv_err = read_text(out.path() / "conv.txt");
  EXPECT_EQ(conv.status, 3) << conv_err;
  EXPECT_NE(conv_err.find(victim.filename().string()), std::string::npos) << conv_err;
  const auto journal =
      nlohmann::json::parse(read_text(out.path() / "store/.pixeldrill/journal.json"));
  ASSERT_EQ(journal["skipped"].size(), 1u) << journal["skipped"];
  EXPECT_NE(journal["skipped"][0]["path"].get<std::string>().find(victim.filename().string()),
            std::string::npos);

  // A drill over that day: partial, naming the file.
  const auto over =
      drill_json(out.str("store"), std::string(kPoint) + " --from " + iso + " --to " + iso,
                 out.str("err.txt"));
  EXPECT_EQ(over.status, 3) << read_text(out.path() / "err.txt");
  const auto doc = nlohmann::json::parse(over.out);
  EXPECT_TRUE(doc["partial"].get<bool>());
  ASSERT_EQ(doc["problems"].size(), 1u);
  EXPECT_NE(doc["problems"][0]["path"].get<std::string>().find(victim.filename().string()),
            std::string::npos);
  // A drill of other days only: complete.
  const auto other =
      drill_json(out.str("store"), std::string(kPoint) + " --to 2019-12-20", out.str("err.txt"));
  EXPECT_EQ(other.status, 0) << read_text(out.path() / "err.txt");
}

TEST_F(StoreDamage, TruncatedSourceFileIsRecordedAndReportedByDrillsOverItsDay) {
  TempDir out;
  fs::copy(coll(), out.str("coll"), fs::copy_options::recursive);
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(out.path() / "coll")) {
    if (e.is_regular_file() && e.path().extension() == ".nc") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  const fs::path victim = files[3];
  fs::resize_file(victim, fs::file_size(victim) / 3);
  const std::string day = victim.filename().string().substr(0, 8);
  const std::string iso = day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2);
  EXPECT_EQ(run(bin() + " convert " + out.str("coll") + " -o " + out.str("store") + " -q " + kArgs +
                " 2>/dev/null")
                .status,
            3);
  const auto over =
      drill_json(out.str("store"), std::string(kPoint) + " --from " + iso + " --to " + iso,
                 out.str("err.txt"));
  EXPECT_EQ(over.status, 3) << read_text(out.path() / "err.txt");
  EXPECT_NE(over.out.find(victim.filename().string()), std::string::npos) << over.out;
}

}  // namespace
}  // namespace pixeldrill::store_test

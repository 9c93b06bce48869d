// --append: a store built from the first days and appended to as the
// collection grows equals the store built in one go; re-appending the same
// days changes nothing; only the last partial time chunk is rewritten; and
// drilling a store answers days newer than its end from the raw files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "drill/store_dataset.h"
#include "store_fixture.h"

namespace pixeldrill::store_test {
namespace {
namespace fs = std::filesystem;

class StoreAppend : public StoreFixture {};

std::map<std::string, int64_t> mtimes(const fs::path& root) {
  std::map<std::string, int64_t> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    out[fs::relative(e.path(), root).string()] =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }
  return out;
}

// The store `s` of 2019-12-18..28 in `out` (chunks 8,32,32), a copy of it
// named `killed`, and then the collection `grow` grown to 2020-01-12.
void store_then_grow(const TempDir& out) {
  StoreFixture::synth(out.str("grow"), "2019-12-18", "2019-12-28");
  ASSERT_EQ(StoreFixture::convert(out.str("grow"), out.str("s"), "--chunks 8,32,32"), 0);
  fs::copy(out.path() / "s", out.path() / "killed", fs::copy_options::recursive);
  StoreFixture::synth(out.str("grow"), "2019-12-29", "2020-01-12");
}

TEST_F(StoreAppend, AppendingNewDaysEqualsConvertingAllAtOnce) {
  TempDir out;
  store_then_grow(out);
  const std::string grow = out.str("grow"), killed = out.str("killed");
  // Without --append a finished store refuses newer days.
  const auto before = mtimes(out.path() / "s");
  EXPECT_NE(convert(grow, out.str("s"), "--chunks 8,32,32"), 0);
  ASSERT_EQ(convert(grow, out.str("s"), "--chunks 8,32,32 --append"), 0);
  const auto after = mtimes(out.path() / "s");
  // The days 2019-12-18..28 (minus synth's missing days) fill time chunk 0
  // and part of chunk 1; chunk 0's files are untouched.
  size_t untouched = 0;
  for (const auto& [name, t] : before) {
    if (name.rfind("sea_surface_temperature/0.", 0) == 0) {
      ASSERT_TRUE(after.count(name)) << name;
      EXPECT_EQ(after.at(name), t) << name << " was rewritten";
      ++untouched;
    }
  }
  EXPECT_GT(untouched, 3u);
  ASSERT_EQ(convert(grow, out.str("one"), "--chunks 8,32,32"), 0);
  const auto one_go = snapshot(out.path() / "one");
  EXPECT_EQ(snapshot(out.path() / "s"), one_go);
  // An append killed part-way (some chunks of the partial row already
  // rewritten) and re-run ends the same.
  EXPECT_EQ(
      convert(grow, killed, "--chunks 8,32,32 --append", "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=5"),
      137);
  ASSERT_EQ(convert(grow, killed, "--chunks 8,32,32 --append"), 0);
  EXPECT_EQ(snapshot(killed), one_go);
  // Appending again: nothing changes, not even a timestamp.
  const auto settled = mtimes(out.path() / "s");
  ASSERT_EQ(convert(grow, out.str("s"), "--chunks 8,32,32 --append"), 0);
  EXPECT_EQ(mtimes(out.path() / "s"), settled);
}

// A drill reads a chunk against its committed manifest row first; a chunk
// an append has already rewritten (its row not yet committed: the append was
// killed, or is still running) fails that check and is read again against
// the row's .pending checksums. Either way the drill gives the same rows.
TEST_F(StoreAppend, StoreWhoseAppendWasKilledMidRowGivesTheSameRows) {
  TempDir out;
  store_then_grow(out);
  const std::string grow = out.str("grow"), killed = out.str("killed");
  const char* q = "--box -70,20,70,190 --reduce mean";
  const auto ref = drill(out.str("s"), q);  // newer days from the raw files
  ASSERT_GT(ref["data"].size(), 20u);
  const auto committed = mtimes(killed);
  EXPECT_EQ(
      convert(grow, killed, "--chunks 8,32,32 --append", "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=5"),
      137);
  size_t pending = 0, rewritten = 0;
  for (const auto& [name, t] : mtimes(killed)) {
    if (name.ends_with(".pending")) ++pending;
    if (name.rfind("sea_surface_temperature/1.", 0) == 0 && committed.count(name) &&
        committed.at(name) != t) {
      ++rewritten;
    }
  }
  ASSERT_EQ(pending, 1u) << "the append was not killed inside a row";
  ASSERT_GT(rewritten, 0u) << "no chunk of the row was rewritten before the kill";
  EXPECT_EQ(drill(killed, q)["data"], ref["data"]);
}

// A server keeps a store open and remembers the manifest records its
// queries read. An append then replaces the part-filled row under it: the
// remembered record no longer matches the chunk, which is read again against
// the new row, so the open store keeps answering the same values.
TEST_F(StoreAppend, OpenStoreKeepsAnsweringWhileAnAppendReplacesARowItRemembers) {
  TempDir out;
  store_then_grow(out);
  const std::string grow = out.str("grow"), store = out.str("s");
  const auto dataset = drill::open_store_dataset(store);
  ASSERT_TRUE(dataset);
  drill::Query q;
  q.box = drill::Box{-70, 20, 70, 190};
  q.reduce = drill::Reduce::kMean;
  q.time.to = 1577577599;                          // 2019-12-28T23:59:59Z: the store's days
  const drill::Series before = dataset->drill(q);  // every chunk's record remembered
  ASSERT_GT(before.rows.size(), 5u);
  ASSERT_EQ(convert(grow, store, "--chunks 8,32,32 --append"), 0);
  for (int i = 0; i < 2; ++i) {  // the retry, then the record read anew
    const drill::Series again = dataset->drill(q);
    ASSERT_EQ(again.rows.size(), before.rows.size());
    for (size_t r = 0; r < before.rows.size(); ++r) {
      EXPECT_EQ(again.rows[r].time, before.rows[r].time);
      ASSERT_EQ(again.rows[r].values.size(), before.rows[r].values.size());
      for (size_t c = 0; c < before.rows[r].values.size(); ++c) {
        const double a = before.rows[r].values[c], b = again.rows[r].values[c];
        EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << r << " " << a << " " << b;
      }
    }
  }
}

TEST_F(StoreAppend, DaysNewerThanTheStoreComeFromTheRawFiles) {
  TempDir out;
  const std::string grow = out.str("grow");
  synth(grow, "2019-12-18", "2019-12-28");
  ASSERT_EQ(convert(grow, out.str("s"), "--chunks 8,32,32"), 0);
  synth(grow, "2019-12-29", "2020-01-04");
  const char* q = "--point -30,155";
  const auto ref = drill(grow, q);
  const auto got = drill(out.str("s"), q);
  ASSERT_EQ(ref["data"].size(), got["data"].size());
  ASSERT_GT(ref["data"].size(), 14u);
  const std::string source = got["source"];
  EXPECT_NE(source.find("store"), std::string::npos) << source;
  EXPECT_NE(source.find("netcdf"), std::string::npos) << source;
  EXPECT_NE(source.find("2019-12-29..2020-01-04"), std::string::npos) << source;
  for (size_t i = 0; i < ref["data"].size(); ++i) {
    const auto& r = ref["data"][i];
    const auto& g = got["data"][i];
    ASSERT_EQ(r["time"], g["time"]);
    const double a = value(r, "sea_surface_temperature"), b = value(g, "sea_surface_temperature");
    ASSERT_EQ(std::isnan(a), std::isnan(b));
    if (std::isnan(a)) continue;
    if (r["time"].get<std::string>() >= "2019-12-29") {
      EXPECT_EQ(a, b);  // straight from the raw files
    } else {
      EXPECT_EQ(static_cast<double>(static_cast<float>(a)), b);
    }
  }
}

TEST_F(StoreAppend, StoreStillAnswersWhenItsSourceCollectionIsGone) {
  TempDir out;
  synth(out.str("gone"), "2019-12-18", "2019-12-24");
  ASSERT_EQ(convert(out.str("gone"), out.str("s"), "--chunks 8,32,32"), 0);
  const auto before = drill(out.str("s"), "--point -30,155");
  fs::remove_all(out.path() / "gone");
  const auto r =
      run(bin() + " drill " + out.str("s") + " --point -30,155 --precision full --format json");
  EXPECT_EQ(r.status, 0);  // not a partial result: the store holds these days
  const auto after = nlohmann::json::parse(r.out);
  EXPECT_EQ(after["data"], before["data"]);
  EXPECT_GE(after["data"].size(), 5u);
}

TEST_F(StoreAppend, JournalIsReadOnlyWhenASourceFolderChanged) {
  TempDir out;
  const std::string grow = out.str("grow");
  synth(grow, "2019-12-18", "2019-12-24");
  const std::string store = out.str("s");
  ASSERT_EQ(convert(grow, store, "--chunks 8,32,32"), 0);
  const auto stamp = nlohmann::json::parse(read_text(store + "/.pixeldrill/sources.json"));
  const auto journal = nlohmann::json::parse(read_text(store + "/.pixeldrill/journal.json"));
  EXPECT_EQ(stamp["source"], journal["source"]);
  EXPECT_EQ(stamp["source_dirs"], journal["source_dirs"]);
  EXPECT_EQ(stamp["files"], journal["files"].size());
  const auto before = drill(store, "--point -30,155");
  // An unreadable journal is never opened while the source folders are unchanged ...
  const std::string saved = read_text(store + "/.pixeldrill/journal.json");
  std::ofstream(store + "/.pixeldrill/journal.json", std::ios::trunc) << "{not json";
  const auto quiet =
      run(bin() + " drill " + store + " --point -30,155 --precision full --format json 2>&1");
  EXPECT_EQ(quiet.status, 0) << quiet.out;
  EXPECT_EQ(nlohmann::json::parse(quiet.out)["data"], before["data"]);
  // ... and is read (here: found malformed, and said so) once a new day arrives.
  synth(grow, "2019-12-25", "2019-12-26");
  const auto told = run(bin() + " drill " + store + " --point -30,155 2>&1 >/dev/null");
  EXPECT_NE(told.out.find("journal.json: not valid JSON"), std::string::npos) << told.out;
  std::ofstream(store + "/.pixeldrill/journal.json", std::ios::trunc) << saved;
  const auto got = drill(store, "--point -30,155");
  EXPECT_EQ(got["data"].size(), before["data"].size() + 2);
}

}  // namespace
}  // namespace pixeldrill::store_test

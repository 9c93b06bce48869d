// File names are bytes: a name that is not UTF-8 must not break JSON output
// or a conversion (whose journal is JSON), and must still be named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../drill/drill_test_util.h"
#include "core/utf8.h"

using namespace pixeldrill::testing;
namespace fs = std::filesystem;

TEST(NonUtf8, PathEncodingRoundTripsAndLeavesUtf8Alone) {
  const std::string latin1 = "/data/caf\xe9/sst.nc";
  EXPECT_FALSE(pixeldrill::is_valid_utf8(latin1));
  EXPECT_TRUE(pixeldrill::is_valid_utf8("/data/caf\xc3\xa9/sst.nc"));
  EXPECT_EQ(pixeldrill::decode_path_from_json(pixeldrill::encode_path_for_json(latin1)), latin1);
  EXPECT_EQ(pixeldrill::encode_path_for_json("/data/caf\xc3\xa9"), "/data/caf\xc3\xa9");
  EXPECT_EQ(pixeldrill::printable_utf8(latin1), "/data/caf\\xe9/sst.nc");
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_FALSE(pixeldrill::is_valid_utf8("\xc0\xaf"));
  EXPECT_FALSE(pixeldrill::is_valid_utf8("\xed\xa0\x80"));
}

TEST(NonUtf8, JsonDrillAndConvertWorkWithLatin1FolderNames) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "coll"));
  const std::string odd = dir / "coll/caf\xe9";
  fs::rename(dir / "coll/2016", odd);
  // One damaged file, so its non-UTF-8 name has to appear in the problems.
  const std::string victim = odd + "/20160101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
  fs::resize_file(victim, fs::file_size(victim) / 3);

  const std::string err = dir / "err.txt";
  const std::string q = " --point -45.3,140.77";
  auto r = run(pixeldrill_bin() + " drill " + (dir / "coll") + q + " --format json 2>" + err);
  EXPECT_EQ(r.status, 3) << read_text(err);
  EXPECT_NE(r.out.find("caf\\\\xe9/20160101152000"), std::string::npos) << r.out;
  // The document is valid JSON with the 7 readable days.
  std::ofstream(dir / "out.json") << r.out;
  const auto check = run(python() + " -c \"import json,sys; d=json.load(open('" +
                         (dir / "out.json") + "')); print(len(d['data']), d['partial'])\"");
  EXPECT_EQ(check.out, "7 True\n");

  const std::string csv =
      run(pixeldrill_bin() + " drill " + (dir / "coll") + q + " 2>/dev/null").out;
  r = run(pixeldrill_bin() + " convert " + (dir / "coll") + " -o " + (dir / "store") +
          " --chunks 4,32,32 -q 2>" + err);
  EXPECT_EQ(r.status, 3) << read_text(err);
  // The journal round-trips the name: --append finds nothing new and the
  // store answers like the files.
  r = run(pixeldrill_bin() + " convert " + (dir / "coll") + " -o " + (dir / "store") +
          " --chunks 4,32,32 --append 2>" + err);
  EXPECT_NE(r.status, 1) << read_text(err);
  // Same days (values are float32 in the store, compared elsewhere).
  const auto from_store =
      parse_csv(run(pixeldrill_bin() + " drill " + (dir / "store") + q + " 2>/dev/null").out);
  const auto from_files = parse_csv(csv);
  ASSERT_EQ(from_store.size(), from_files.size());
  for (size_t i = 0; i < from_files.size(); ++i) EXPECT_EQ(from_store[i][0], from_files[i][0]);
}

// `pixeldrill convert` + `pixeldrill drill STORE` against the reference
// netCDF-C drill on the same synthetic collection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../support/test_paths.h"
#include "formats/zarr/directory.h"
#include "store_fixture.h"

namespace pixeldrill::store_test {
namespace {

class StoreConvert : public StoreFixture {};

const char* kQueries[] = {
    "--point -30,155",
    "--point -9.6,100.4",
    "--point -44,148",
    "--box -40,-36,150,156",
    "--box -40,-30,150,160 --reduce mean",
    "--point -30,155 --min-quality 4 --celsius",
};

// Exact mode: every value is the float32 of the reference drill's double.
TEST_F(StoreConvert, ExactStoreAnswersEqualFloat32OfReferenceDrill) {
  TempDir out;
  // Time chunks of 8 (several, the last partial) and 32 x 32 tiles (edges partial).
  ASSERT_EQ(convert(coll(), out.str("s"), "--chunks 8,32,32"), 0);
  const std::string stations = out.str("stations.csv");
  {
    std::ofstream f(stations);
    f << "id,lat,lon\nA,-30,155\nB,-9.6,100.4\nC,-44,148\nD,-35.2,151.3\n";
  }
  std::vector<std::string> queries(std::begin(kQueries), std::end(kQueries));
  queries.push_back("--stations " + stations);
  size_t valid = 0;
  for (const std::string& q : queries) {
    const auto ref = drill(coll(), q);
    const auto got = drill(out.str("s"), q);
    ASSERT_EQ(ref["data"].size(), got["data"].size()) << q;
    ASSERT_GT(ref["data"].size(), 20u) << q;
    EXPECT_NE(got["source"].get<std::string>().find("store"), std::string::npos);
    const bool reduced = q.find("--reduce") != std::string::npos;
    const bool celsius = q.find("--celsius") != std::string::npos;
    for (size_t i = 0; i < ref["data"].size(); ++i) {
      const auto& r = ref["data"][i];
      const auto& g = got["data"][i];
      ASSERT_EQ(r["time"], g["time"]) << q;
      ASSERT_EQ(r["lat"], g["lat"]) << q;
      ASSERT_EQ(r["lon"], g["lon"]) << q;
      for (const auto& col : ref["columns"]) {
        const std::string name = col["name"];
        const double a = value(r, name), b = value(g, name);
        ASSERT_EQ(std::isnan(a), std::isnan(b)) << q << " " << name << " row " << i;
        if (std::isnan(a)) continue;
        ++valid;
        if (reduced) {
          // A mean of float32 values: within float32 rounding of the reference.
          EXPECT_NEAR(a, b, 1e-4) << q << " " << name;
        } else if (celsius && name == "sea_surface_temperature") {
          // float32 kelvin, then - 273.15 in double.
          EXPECT_NEAR(static_cast<float>(a + 273.15) - 273.15, b, 1e-9) << q;
        } else {
          EXPECT_EQ(static_cast<double>(static_cast<float>(a)), b) << q << " " << name;
        }
      }
    }
  }
  EXPECT_GT(valid, 500u);
}

TEST_F(StoreConvert, PackedStoreIsWithinHalfTheSourceQuantum) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("s"), "--mode packed --chunks 16,64,64"), 0);
  const zarr::Directory dir(out.str("s"));
  const auto zarray = dir.read_json("sea_surface_temperature/.zarray");
  EXPECT_EQ(zarray["dtype"], "<i2");
  EXPECT_EQ(zarray["fill_value"], -32768);
  const auto zattrs = dir.read_json("sea_surface_temperature/.zattrs");
  // The source's float32 scale_factor, kept exactly.
  EXPECT_EQ(zattrs["scale_factor"].get<double>(), static_cast<double>(0.01f));
  EXPECT_EQ(dir.read_json("quality_level/.zarray")["dtype"], "|i1");
  double worst = 0;
  size_t valid = 0;
  for (const char* q : {"--box -44,-28,146,160", "--point -9.6,100.4"}) {
    const auto ref = drill(coll(), q);
    const auto got = drill(out.str("s"), q);
    ASSERT_EQ(ref["data"].size(), got["data"].size());
    for (size_t i = 0; i < ref["data"].size(); ++i) {
      const double a = value(ref["data"][i], "sea_surface_temperature");
      const double b = value(got["data"][i], "sea_surface_temperature");
      ASSERT_EQ(std::isnan(a), std::isnan(b));
      EXPECT_EQ(ref["data"][i]["quality_level"], got["data"][i]["quality_level"]);
      if (std::isnan(a)) continue;
      ++valid;
      worst = std::max(worst, std::fabs(a - b));
    }
  }
  EXPECT_GT(valid, 1000u);
  EXPECT_LE(worst, 0.005 + 1e-9);
  std::printf("packed mode: worst |store - reference| = %.6f K over %zu values\n", worst, valid);
}

// Drills `q` from the source and from a fresh exact store of it; every value
// equals the float32 of the reference. Returns the number of valid values.
size_t expect_store_matches_reference(const std::string& source, const std::string& store,
                                      const std::string& q) {
  const auto ref = StoreFixture::drill(source, q);
  const auto got = StoreFixture::drill(store, q);
  EXPECT_EQ(ref["data"].size(), got["data"].size()) << q;
  size_t valid = 0;
  for (size_t i = 0; i < std::min(ref["data"].size(), got["data"].size()); ++i) {
    const auto& r = ref["data"][i];
    const auto& g = got["data"][i];
    EXPECT_EQ(r["time"], g["time"]) << q;
    EXPECT_EQ(r["lat"], g["lat"]) << q;
    EXPECT_EQ(r["lon"], g["lon"]) << q;
    for (const auto& col : ref["columns"]) {
      const std::string name = col["name"];
      const double a = StoreFixture::value(r, name), b = StoreFixture::value(g, name);
      EXPECT_EQ(std::isnan(a), std::isnan(b)) << q << " " << name << " row " << i;
      if (std::isnan(a) || std::isnan(b)) continue;
      ++valid;
      EXPECT_EQ(static_cast<double>(static_cast<float>(a)), b) << q << " " << name;
    }
  }
  return valid;
}

TEST_F(StoreConvert, MixedErasAndVariablesMissingInSomeYears) {
  TempDir out;
  // 2016 files use another chunk layout; 2020 files lack sea_ice_fraction.
  synth(out.str("eras"), "2015-12-29", "2016-01-03");
  synth(out.str("eras"), "2019-12-30", "2020-01-02");
  ASSERT_EQ(
      convert(out.str("eras"), out.str("s"),
              "--chunks 4,32,32 --vars sea_surface_temperature,sea_ice_fraction,quality_level"),
      0);
  size_t valid = 0;
  for (const char* q : {"--point -60,150 --var sea_ice_fraction,sea_surface_temperature",
                        "--box -66,-56,140,160 --var sea_ice_fraction,quality_level"}) {
    valid += expect_store_matches_reference(out.str("eras"), out.str("s"), q);
  }
  EXPECT_GT(valid, 100u);
  // Our own chunk decoding and netCDF-C's reads give the same store, byte for byte.
  ASSERT_EQ(
      convert(out.str("eras"), out.str("nc"),
              "--chunks 4,32,32 --vars sea_surface_temperature,sea_ice_fraction,quality_level "
              "--reader netcdf"),
      0);
  EXPECT_EQ(snapshot(out.path() / "s"), snapshot(out.path() / "nc"));
}

TEST_F(StoreConvert, RealFixturesConvertAndDrillLikeTheReference) {
  const std::string fixtures = PIXELDRILL_FIXTURES_DIR;
  TempDir out;
  // Two days in one file with UNLIMITED time, unpacked doubles.
  const std::string two = fixtures + "/L3S-1d_ngt_20150902-03_subset_unpacked.nc";
  ASSERT_EQ(convert(two, out.str("two")), 0);
  const auto rows = drill(out.str("two"), "--box -90,90,-180,360")["data"];
  EXPECT_EQ(drill(two, "--box -90,90,-180,360")["data"].size(), rows.size());
  EXPECT_GT(expect_store_matches_reference(two, out.str("two"), "--box -90,90,-180,360"), 1000u);
  // Packed shorts with the file's own add_offset, packed mode: within half a quantum.
  const std::string packed = fixtures + "/L3S-1d_day_2017_subset_a.nc";
  ASSERT_EQ(convert(packed, out.str("exact")), 0);
  EXPECT_GT(expect_store_matches_reference(packed, out.str("exact"), "--box -90,90,-180,360"),
            100u);
  ASSERT_EQ(convert(packed, out.str("packed"), "--mode packed"), 0);
  const auto ref = drill(packed, "--box -90,90,-180,360");
  const auto got = drill(out.str("packed"), "--box -90,90,-180,360");
  ASSERT_EQ(ref["data"].size(), got["data"].size());
  for (size_t i = 0; i < ref["data"].size(); ++i) {
    const double a = value(ref["data"][i], "sea_surface_temperature");
    const double b = value(got["data"][i], "sea_surface_temperature");
    ASSERT_EQ(std::isnan(a), std::isnan(b));
    if (!std::isnan(a)) {
      EXPECT_LE(std::fabs(a - b), 0.005 + 1e-9);
    }
  }
}

// The index describes the files (grid, times, packing, attributes, chunk
// tables) instead of netCDF-C opening them: the same store, packed too (its
// offset comes from the attributes' valid range).
TEST_F(StoreConvert, ConvertingFromAChunkIndexGivesTheSameStore) {
  TempDir out;
  const auto r = run(bin() + " index " + coll() + " -o " + out.str("c.pdx") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const std::string mode : {"exact", "packed"}) {
    SCOPED_TRACE(mode);
    const std::string options = "--chunks 16,32,32 --mode " + mode;
    ASSERT_EQ(convert(out.str("c.pdx"), out.str("from_index_" + mode), options), 0);
    ASSERT_EQ(convert(coll(), out.str("from_folder_" + mode), options), 0);
    auto from_index = snapshot(out.path() / ("from_index_" + mode));
    auto from_folder = snapshot(out.path() / ("from_folder_" + mode));
    // The journal also records the index, for newer days.
    EXPECT_NE(from_index[".pixeldrill/journal.json"].find("c.pdx"), std::string::npos);
    EXPECT_NE(from_index[".pixeldrill/sources.json"].find("c.pdx"), std::string::npos);
    for (const char* key : {".pixeldrill/journal.json", ".pixeldrill/sources.json"}) {
      from_index.erase(key);
      from_folder.erase(key);
    }
    EXPECT_GT(from_index.size(), 10u);
    EXPECT_EQ(from_index, from_folder);
  }
}

// From an index, files are not reopened with netCDF-C: the index describes
// them, so a file rewritten since it was indexed must not be read as indexed.
TEST_F(StoreConvert, AFileChangedSinceItWasIndexedIsSkippedAndNamed) {
  TempDir out;
  std::filesystem::copy(coll(), out.path() / "c", std::filesystem::copy_options::recursive);
  ASSERT_EQ(run(bin() + " index " + out.str("c") + " -o " + out.str("c.pdx") + " 2>&1").status, 0);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(out.path() / "c")) {
    if (e.path().extension() == ".nc") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  const std::string changed = files[1];
  std::filesystem::copy_file(files[0], changed, std::filesystem::copy_options::overwrite_existing);
  const auto r = run(bin() + " convert " + out.str("c.pdx") + " -o " + out.str("s") + " -q 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find(changed + ": changed since it was indexed"), std::string::npos) << r.out;
  const auto drill = run(bin() + " drill " + out.str("s") + " " + kQueries[0] + " 2>&1");
  EXPECT_EQ(drill.status, 3) << drill.out;
  EXPECT_NE(drill.out.find(changed), std::string::npos) << drill.out;
}

TEST_F(StoreConvert, DaysNewerThanAStoreConvertedFromAnIndexComeThroughTheIndex) {
  TempDir out;
  synth(out.str("c"), "2019-12-18", "2019-12-24");
  const std::string index = bin() + " index " + out.str("c") + " -o " + out.str("c.pdx");
  ASSERT_EQ(run(index + " 2>&1").status, 0);
  ASSERT_EQ(convert(out.str("c.pdx"), out.str("s"), "--chunks 8,32,32"), 0);
  synth(out.str("c"), "2019-12-25", "2019-12-31");
  ASSERT_EQ(run(index + " 2>&1").status, 0);  // incremental: adds the new files
  const auto ref = drill(out.str("c"), "--point -30,155");
  const auto got = drill(out.str("s"), "--point -30,155");
  EXPECT_NE(got["source"].get<std::string>().find("index " + out.str("c.pdx")), std::string::npos)
      << got["source"];
  ASSERT_EQ(ref["data"].size(), got["data"].size());
  ASSERT_GT(ref["data"].size(), 10u);
  for (size_t i = 0; i < ref["data"].size(); ++i) {
    const double a = value(ref["data"][i], "sea_surface_temperature");
    const double b = value(got["data"][i], "sea_surface_temperature");
    ASSERT_EQ(ref["data"][i]["time"], got["data"][i]["time"]);
    ASSERT_EQ(std::isnan(a), std::isnan(b));
    if (std::isnan(a)) continue;
    if (ref["data"][i]["time"].get<std::string>() >= "2019-12-25") {
      EXPECT_EQ(a, b);  // the index path is bit-identical to the reference
    } else {
      EXPECT_EQ(static_cast<double>(static_cast<float>(a)), b);
    }
  }
}

TEST_F(StoreConvert, CorruptStoreFilesAreNamedNotReadAsValues) {
  TempDir out;
  ASSERT_EQ(convert(coll(), out.str("s"), "--chunks 8,32,32"), 0);
  // The chunk holding the point (-30, 155) in the first time chunk row.
  const auto rows = drill(out.str("s"), "--point -30,155 --var sea_surface_temperature");
  std::string chunk;
  for (const auto& e :
       std::filesystem::directory_iterator(out.path() / "s/sea_surface_temperature")) {
    if (e.path().filename().string().rfind("0.", 0) == 0) {
      std::filesystem::resize_file(e.path(), std::filesystem::file_size(e.path()) / 2);
    }
  }
  auto r = run(bin() + " drill " + out.str("s") + " --point -30,155 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("sea_surface_temperature/0."), std::string::npos) << r.out;
  {
    std::ofstream f(out.path() / "s/.zmetadata", std::ios::trunc);
    f << "{\"metadata\": {\".zattrs\": ";  // cut short
  }
  r = run(bin() + " drill " + out.str("s") + " --point -30,155 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(".zmetadata"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
  EXPECT_GT(rows["data"].size(), 20u);
}

TEST_F(StoreConvert, BadOptionsAreRefusedByName) {
  TempDir out;
  EXPECT_NE(convert(coll(), out.str("s"), "--mode lossy"), 0);
  EXPECT_NE(convert(coll(), out.str("s"), "--chunks 8,0,32"), 0);
  EXPECT_NE(convert(coll(), out.str("s"), "--vars no_such_variable"), 0);
  EXPECT_NE(convert(coll(), out.str("s"), "--max-mem lots"), 0);
  EXPECT_NE(convert(out.str("missing"), out.str("s")), 0);
  // A store is not overwritten with other options.
  ASSERT_EQ(convert(coll(), out.str("s"), "--chunks 8,32,32"), 0);
  const auto before = snapshot(out.path() / "s");
  const auto r =
      run(bin() + " convert " + coll() + " -o " + out.str("s") + " --chunks 16,32,32 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--chunks 8,32,32"), std::string::npos) << r.out;
  EXPECT_EQ(before, snapshot(out.path() / "s"));
}

}  // namespace
}  // namespace pixeldrill::store_test

// Issue #13, refs: `--combined -o X.json` always writes X.json, references can
// move with their files (--relative) or point elsewhere (--prefix), and a
// variable exposed as its stored numbers carries no physical units. Read back
// with fsspec's reference:// filesystem and xarray.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json refs_values(const std::string& cwd, const std::string& refs, const std::string& var,
                 const std::string& base = "") {
  const auto r =
      run("cd '" + cwd + "' && " + python() + " " + python_script("output_papercuts.py") +
          " refs " + refs + " " + var + " -45.3 140.77 " + base);
  EXPECT_EQ(r.status, 0) << r.out;
  return r.status == 0 ? json::parse(r.out) : json::object();
}

// quality_level at -45.3,140.77 as the drill gives it, one value per day.
json drilled(const std::string& source) {
  const auto r = run(pixeldrill_bin() + " drill " + source +
                     " --point -45.3,140.77 --var quality_level --format json");
  EXPECT_EQ(r.status, 0);
  json out = json::array();
  const json doc = json::parse(r.out);
  for (const auto& row : doc["data"]) {
    out.push_back(row["quality_level"].is_null() ? json(nullptr)
                                                 : json(row["quality_level"].get<double>()));
  }
  return out;
}

}  // namespace

TEST(RefsRelocate, CombinedAlwaysWritesTheNamedFile) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "coll"));
  // Three layout groups: X.json lists the three reference sets.
  ASSERT_EQ(run(pixeldrill_bin() + " refs " + (dir / "coll") + " --combined -o " +
                (dir / "all.json") + " 2>/dev/null")
                .status,
            0);
  ASSERT_TRUE(fs::exists(dir / "all.json"));
  const json listing = json::parse(read_text(dir / "all.json"));
  ASSERT_EQ(listing["pixeldrill_refs_groups"].size(), 3u);
  size_t files = 0;
  for (const auto& g : listing["pixeldrill_refs_groups"]) {
    EXPECT_TRUE(fs::exists(dir / g["refs"].get<std::string>())) << g.dump();
    files += g["files"].get<size_t>();
  }
  EXPECT_EQ(files, 8u);
  // One group: X.json is the reference set itself.
  ASSERT_EQ(run(pixeldrill_bin() + " refs " + (dir / "coll/2020") + " --combined -o " +
                (dir / "one.json") + " 2>/dev/null")
                .status,
            0);
  const json one = json::parse(read_text(dir / "one.json"));
  EXPECT_EQ(one["version"], 1);
  const json got = refs_values(dir.str(), dir / "one.json", "quality_level");
  EXPECT_EQ(got["values"], drilled(dir / "coll/2020"));
}

TEST(RefsRelocate, RelativeReferencesMoveWithTheirFiles) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "a/coll"));
  fs::create_directories(dir / "a/refs");
  ASSERT_EQ(run(pixeldrill_bin() + " refs " + (dir / "a/coll/2020") + " --combined --relative -o " +
                (dir / "a/refs/r.json") + " 2>/dev/null")
                .status,
            0);
  const json refs = json::parse(read_text(dir / "a/refs/r.json"));
  EXPECT_EQ(refs["templates"]["u"], "../coll/2020");
  // Move the whole tree: the references still read the files.
  fs::rename(dir / "a", dir / "b");
  const json got = refs_values(dir / "b/refs", "r.json", "quality_level");
  EXPECT_EQ(got["values"], drilled(dir / "b/coll/2020"));
  EXPECT_EQ(got["values"].size(), 2u);
}

TEST(RefsRelocate, PrefixedReferencesAndRawVariablesWithoutUnits) {
  TempDir dir;
  ASSERT_TRUE(make_era_collection(dir / "coll"));
  ASSERT_EQ(
      run(pixeldrill_bin() + " refs " + (dir / "coll/2020") +
          " --combined --prefix s3://bucket/ghrsst/2020 -o " + (dir / "p.json") + " 2>/dev/null")
          .status,
      0);
  const json refs = json::parse(read_text(dir / "p.json"));
  EXPECT_EQ(refs["templates"]["u"], "s3://bucket/ghrsst/2020");
  size_t chunks = 0;
  for (const auto& [key, value] : refs["refs"].items()) {
    if (!value.is_array()) continue;
    EXPECT_EQ(value[0].get<std::string>().rfind("{{u}}/", 0), 0u) << key;
    ++chunks;
  }
  EXPECT_GT(chunks, 4u);
  // fsspec's template_overrides points the same references at a local copy.
  const json got = refs_values(dir.str(), dir / "p.json", "quality_level", dir / "coll/2020");
  EXPECT_EQ(got["values"], drilled(dir / "coll/2020"));
  // SST's packing differs day to day: exposed as stored numbers, without units.
  const json sst =
      refs_values(dir.str(), dir / "p.json", "sea_surface_temperature", dir / "coll/2020");
  EXPECT_FALSE(sst["attrs"].contains("units")) << sst["attrs"].dump();
  EXPECT_FALSE(sst["attrs"].contains("standard_name"));
  EXPECT_EQ(sst["attrs"]["physical_units"], "kelvin");
}

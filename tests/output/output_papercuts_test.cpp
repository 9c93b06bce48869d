// Issue #13, the outputs half: what pixeldrill writes, read back by the tools
// scientists use (xarray, pandas, fsspec, ncdump), item by item.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../drill/drill_test_util.h"
#include "../support/test_cache.h"

using namespace pixeldrill::testing;
using nlohmann::json;

namespace {

// The era collection (2015-12-30..2016-01-02 and 2019-12-30..2020-01-02,
// 90 x 120 pixels), made once per build tree.
std::string collection() {
  static const std::string dir = cached_test_data("output-papercuts-era", make_era_collection);
  return dir;
}

json python_json(const std::string& args) {
  const auto r = run(python() + " " + python_script("output_papercuts.py") + " " + args);
  EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
  return r.status == 0 ? json::parse(r.out) : json::object();
}

std::vector<std::string> nc_files(const std::string& dir) {
  std::vector<std::string> all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".nc") all.push_back(e.path().string());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::string files_of(const std::string& dir) {
  std::string out;
  for (const auto& f : nc_files(dir)) out += " " + f;
  return out;
}

// The line of `info` output that starts with `key`.
std::string line_of(const std::string& text, const std::string& key) {
  for (const auto& l : lines(text)) {
    if (l.rfind(key, 0) == 0) return l;
  }
  return "";
}

class OutputPapercuts : public ::testing::Test {
 protected:
  CommandResult drill(const std::string& args, const std::string& source = "") {
    return run(pixeldrill_bin() + " drill " + (source.empty() ? collection() : source) + " " +
               args);
  }
  TempDir dir_;
};

}  // namespace

// Item 6: info on a folder and on a store no longer ends in bad_alloc, and
// says what an index's summary says (time span, grid, variables).
TEST_F(OutputPapercuts, InfoSummarisesAFolderAStoreAndAnIndexAlike) {
  ASSERT_FALSE(collection().empty());
  const std::string idx = dir_ / "c.pdx", store = dir_ / "c.zarr";
  ASSERT_EQ(run(pixeldrill_bin() + " index " + collection() + " -o " + idx + " 2>/dev/null").status,
            0);
  ASSERT_EQ(run(pixeldrill_bin() + " convert " + collection() + " -o " + store +
                " -q --chunks 4,32,32 2>/dev/null")
                .status,
            0);
  const auto folder = run(pixeldrill_bin() + " info " + collection() + " 2>&1");
  const auto from_store = run(pixeldrill_bin() + " info " + store + " 2>&1");
  const auto from_index = run(pixeldrill_bin() + " info " + idx + " 2>&1");
  ASSERT_EQ(folder.status, 0) << folder.out;
  ASSERT_EQ(from_store.status, 0) << from_store.out;
  ASSERT_EQ(from_index.status, 0) << from_index.out;
  EXPECT_EQ(folder.out.find("bad_alloc"), std::string::npos);
  const json t = python_json("times" + files_of(collection()));
  const std::string span = "time span:  " + t["first"].get<std::string>() + " .. " +
                           t["last"].get<std::string>() + " (" +
                           std::to_string(t["count"].get<int>()) + " time steps)";
  EXPECT_EQ(line_of(folder.out, "time span:"), span) << folder.out;
  EXPECT_EQ(line_of(from_store.out, "time span:"), span) << from_store.out;
  EXPECT_EQ(line_of(from_index.out, "time span:"), span) << from_index.out;
  // The same grid line and the same gap report on every source.
  const std::string grid = line_of(from_index.out, "  [0] 90 x 120");
  ASSERT_FALSE(grid.empty()) << from_index.out;
  EXPECT_EQ(line_of(folder.out, "  [0] 90 x 120"), grid);
  EXPECT_EQ(line_of(from_store.out, "  [0] 90 x 120"), grid);
  EXPECT_EQ(line_of(folder.out, "gaps:"), line_of(from_index.out, "gaps:"));
  EXPECT_EQ(line_of(from_store.out, "gaps:"), line_of(from_index.out, "gaps:"));
  EXPECT_NE(folder.out.find("  sea_surface_temperature: short"), std::string::npos) << folder.out;
  EXPECT_NE(from_store.out.find("  sea_surface_temperature: float, chunks 4 x 32 x 32"),
            std::string::npos)
      << from_store.out;
  EXPECT_NE(line_of(from_store.out, "store:").find(store), std::string::npos);
  // --verify is an index's check.
  EXPECT_EQ(run(pixeldrill_bin() + " info " + store + " --verify 2>/dev/null").status, 2);
}

// Item 4: a drill's NetCDF keeps the source's attributes that still hold and
// recomputes the rest; flag definitions ride along; ids are meaningful.
TEST_F(OutputPapercuts, NetcdfKeepsSourceAttributesAndRecomputesExtent) {
  const std::string src = fixture("L3S-1d_day_2017_subset_a.nc");
  const std::string nc = dir_ / "p.nc";
  const auto r =
      drill("--point -30.6,96.5 --var sea_surface_temperature,quality_level -o " + nc, src);
  ASSERT_EQ(r.status, 0);
  const json out = python_json("netcdf " + nc);
  const json in = python_json("source-attrs " + src);
  ASSERT_TRUE(in.contains("acknowledgment"));
  for (const char* kept : {"license", "acknowledgment", "title", "institution"}) {
    EXPECT_EQ(out["attrs"][kept], in[kept]) << kept;
  }
  // Not the source file's: its uuid, its own coverage and making.
  EXPECT_FALSE(out["attrs"].contains("uuid"));
  EXPECT_NE(out["attrs"]["time_coverage_start"], in["time_coverage_start"]);
  EXPECT_EQ(out["attrs"]["time_coverage_start"], out["times"].front());
  EXPECT_EQ(out["attrs"]["time_coverage_end"], out["times"].back());
  EXPECT_EQ(out["attrs"]["geospatial_lat_min"], out["lat"][0]);
  EXPECT_EQ(out["attrs"]["geospatial_lon_max"], out["lon"][0]);
  const std::string history = out["attrs"]["history"];
  EXPECT_NE(history.find("pixeldrill drill " + src + " --point -30.6,96.5"), std::string::npos)
      << history;
  EXPECT_NE(out["attrs"]["source"].get<std::string>().find("pixeldrill drill"), std::string::npos);
  EXPECT_EQ(out["attrs"]["date_created"].get<std::string>().size(), 20u);  // ISO 8601 UTC
  // quality_level stays an integer variable with its flags.
  EXPECT_EQ(out["dtypes"]["quality_level"], "int32");
  EXPECT_EQ(out["var_attrs"]["quality_level"]["flag_values"], json({0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(out["var_attrs"]["quality_level"]["flag_meanings"],
            "no_data bad_data worst_quality low_quality acceptable_quality best_quality");
  EXPECT_EQ(out["station_id"], json({"point"}));

  // A box without --reduce is a (time, lat, lon) cube (BoxCube.* tests it); a
  // reduced box is one series named by --name.
  const std::string box = dir_ / "box.nc";
  ASSERT_EQ(
      drill("--box -33,-31,114,116 --reduce mean --name shelf --to 2016-01-01 -o " + box).status,
      0);
  const json b = python_json("netcdf " + box);
  EXPECT_EQ(b["station_id"], json({"shelf"}));
}

// Item 4: the store's attributes are flat and its own, so xarray writes it to
// NetCDF as it is.
TEST_F(OutputPapercuts, StoreOpensInXarrayAndWritesToNetcdf) {
  const std::string store = dir_ / "s.zarr", nc = dir_ / "s.nc";
  ASSERT_EQ(run(pixeldrill_bin() + " convert " + collection() + " -o " + store +
                " -q --chunks 4,32,32 2>/dev/null")
                .status,
            0);
  const json back = python_json("store-to-netcdf " + store + " " + nc);
  const json src = python_json("source-attrs " + nc_files(collection()).front());
  ASSERT_TRUE(back.contains("attrs"));
  EXPECT_EQ(back["attrs"]["pixeldrill_store"], 1);
  EXPECT_EQ(back["attrs"]["pixeldrill_store_mode"], "exact");
  EXPECT_EQ(back["attrs"]["license"], src["license"]);
  EXPECT_EQ(back["attrs"]["title"], src["title"]);
  EXPECT_EQ(back["attrs"]["time_coverage_start"], back["times"].front());
  EXPECT_EQ(back["attrs"]["time_coverage_end"], back["times"].back());
  EXPECT_FALSE(back["attrs"].contains("uuid"));
  EXPECT_NE(back["attrs"]["history"].get<std::string>().find("pixeldrill convert"),
            std::string::npos);
  // And the store still drills.
  EXPECT_EQ(drill("--point -32,115 --to 2016-01-01", store).status, 0);
}

// Item 2: ERDDAP's units row, units after --celsius, "point" / --name.
TEST_F(OutputPapercuts, CsvUnitsRowAndSiteNames) {
  const auto r = drill("--point -45.3,140.77 --celsius --units-row --to 2016-01-01");
  ASSERT_EQ(r.status, 0);
  const auto t = parse_csv(r.out);
  ASSERT_GE(t.size(), 3u);
  EXPECT_EQ(t[0], (std::vector<std::string>{"time", "site", "lat", "lon", "sea_surface_temperature",
                                            "quality_level"}));
  EXPECT_EQ(t[1], (std::vector<std::string>{"UTC", "", "degrees_north", "degrees_east",
                                            "degree_Celsius", ""}));
  for (size_t i = 2; i < t.size(); ++i) EXPECT_EQ(t[i][1], "point");
  const auto named = drill("--point -45.3,140.77 --name SOTS --to 2016-01-01");
  ASSERT_EQ(named.status, 0);
  EXPECT_EQ(parse_csv(named.out)[1][1], "SOTS");
  const std::string stations = dir_ / "st.csv";
  std::ofstream(stations) << "id,lat,lon\nA,-45,140\n";
  EXPECT_EQ(drill("--stations " + stations + " --name X 2>/dev/null").status, 2);
}

// Item 2: values print with the digits the data carries: a packed value packs
// back to its stored number, quality_level prints as an integer, and
// --precision full gives the double's shortest round-trip text.
TEST_F(OutputPapercuts, ValuesCarryTheDigitsOfTheData) {
  const std::string csv = dir_ / "p.csv";
  ASSERT_EQ(drill("--box -50,-40,140,150 -o " + csv).status, 0);
  const json packed =
      python_json("packed " + csv + " sea_surface_temperature" + files_of(collection()));
  EXPECT_GT(packed["checked"].get<int>(), 100);
  EXPECT_EQ(packed["bad"], json::array());
  EXPECT_LE(packed["max_decimals"].get<int>(), 5);
  const auto t = parse_csv(read_text(csv));
  size_t quality = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i][5].empty()) continue;
    EXPECT_EQ(t[i][5].find('.'), std::string::npos) << t[i][5];
    ++quality;
  }
  EXPECT_GT(quality, 100u);
  // Full precision: the double xarray decodes, to the last bit.
  const auto full = drill("--point -45.3,140.77 --precision full --var sea_surface_temperature");
  const auto data = drill("--point -45.3,140.77 --var sea_surface_temperature");
  const auto f = parse_csv(full.out), d = parse_csv(data.out);
  ASSERT_EQ(f.size(), d.size());
  size_t longer = 0;
  for (size_t i = 1; i < f.size(); ++i) {
    if (f[i][4].empty()) continue;
    EXPECT_LT(std::fabs(std::stod(f[i][4]) - std::stod(d[i][4])), 0.0005);
    longer += f[i][4].size() > d[i][4].size();
  }
  EXPECT_GT(longer, 0u);
}

// Item 3: JSON is a pandas Table Schema document; --format erddap-json is
// ERDDAP's table JSON.
TEST_F(OutputPapercuts, JsonLoadsInPandasAndErddapJsonHasItsShape) {
  const std::string js = dir_ / "p.json", csv = dir_ / "p.csv";
  const std::string q = "--stations " + (dir_ / "st.csv");
  std::ofstream(dir_ / "st.csv") << "id,lat,lon\nA,-45.3,140.77\nB,-32,115.4\n";
  ASSERT_EQ(drill(q + " --celsius -o " + js).status, 0);
  ASSERT_EQ(drill(q + " --celsius -o " + csv).status, 0);
  const json p = python_json("pandas-table " + js + " " + csv);
  EXPECT_EQ(p["rows"], 16);
  EXPECT_EQ(p["equal_to_csv"], true) << p.dump();
  EXPECT_EQ(p["dtypes"]["time"], "datetime64[ns, UTC]");
  EXPECT_EQ(p["dtypes"]["sea_surface_temperature"], "float64");
  const json doc = json::parse(read_text(js));
  const auto& fields = doc["schema"]["fields"];
  EXPECT_EQ(fields[4]["name"], "sea_surface_temperature");
  EXPECT_EQ(fields[4]["units"], "degree_Celsius");

  const auto e = drill(q + " --celsius --format erddap-json");
  ASSERT_EQ(e.status, 0);
  const json table = json::parse(e.out)["table"];
  EXPECT_EQ(table["columnNames"],
            json({"time", "site", "lat", "lon", "sea_surface_temperature", "quality_level"}));
  EXPECT_EQ(table["columnTypes"], json({"String", "String", "double", "double", "double", "int"}));
  EXPECT_EQ(table["columnUnits"][4], "degree_Celsius");
  ASSERT_EQ(table["rows"].size(), 16u);
  const auto t = parse_csv(read_text(csv));
  for (size_t i = 0; i < 16; ++i) {
    const auto& row = table["rows"][i];
    EXPECT_EQ(row[0], t[i + 1][0]);
    EXPECT_EQ(row[1], t[i + 1][1]);
    if (t[i + 1][5].empty()) {
      EXPECT_TRUE(row[5].is_null());
    } else {
      EXPECT_TRUE(row[5].is_number_integer()) << row.dump();
      EXPECT_EQ(row[5].get<int>(), std::stoi(t[i + 1][5]));
      EXPECT_EQ(row[4].get<double>(), std::stod(t[i + 1][4]));
    }
  }
}

// Item 1: a reduced box never averages categories: quality_level gives counts
// per level, l2p_flags counts per bit, a mean has its count beside it, and
// NetCDF says how each statistic was made (cell_methods).
TEST_F(OutputPapercuts, ReducedBoxCountsCategoriesAndSaysHow) {
  const std::string nc = dir_ / "r.nc";
  ASSERT_EQ(drill("--box -50,-30,100,150 --reduce mean --var "
                  "sea_surface_temperature,quality_level,l2p_flags -o " +
                  nc)
                .status,
            0);
  const json out = python_json("netcdf " + nc);
  EXPECT_EQ(out["var_attrs"]["sea_surface_temperature"]["cell_methods"], "lat: lon: mean");
  EXPECT_FALSE(out["dtypes"].contains("quality_level"));
  EXPECT_FALSE(out["dtypes"].contains("l2p_flags"));
  for (const char* count :
       {"sea_surface_temperature_count", "quality_level_count", "quality_level_count_5",
        "l2p_flags_count_swath", "l2p_flags_count_land"}) {
    EXPECT_EQ(out["dtypes"][count], "int32") << count;
    EXPECT_EQ(out["var_attrs"][count]["units"], "1") << count;
  }
  const auto& v = out["values"];
  const size_t steps = v["quality_level_count"].size();
  ASSERT_EQ(steps, 8u);
  size_t valid = 0;
  for (size_t t = 0; t < steps; ++t) {
    double levels = 0;
    for (int q = 0; q <= 5; ++q) {
      levels += v["quality_level_count_" + std::to_string(q)][t].get<double>();
    }
    // Every valid pixel has one level; SST and quality are valid together.
    EXPECT_EQ(levels, v["quality_level_count"][t].get<double>()) << t;
    EXPECT_EQ(v["sea_surface_temperature_count"][t], v["quality_level_count"][t]) << t;
    // Valid SST pixels are inside the satellite's swath.
    EXPECT_GE(v["l2p_flags_count_swath"][t].get<double>(),
              v["sea_surface_temperature_count"][t].get<double>())
        << t;
    valid += v["quality_level_count"][t].get<size_t>() > 0;
  }
  EXPECT_EQ(valid, steps);
  // CSV: the mean's count column sits next to it.
  const auto csv = drill("--box -50,-30,100,150 --reduce mean --to 2016-01-01");
  const auto header = parse_csv(csv.out).front();
  ASSERT_GE(header.size(), 6u);
  EXPECT_EQ(header[4], "sea_surface_temperature");
  EXPECT_EQ(header[5], "sea_surface_temperature_count");
}

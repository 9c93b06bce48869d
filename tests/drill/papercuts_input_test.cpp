// Issue #13, inputs and emptiness, end to end through `pixeldrill drill` on
// every backend (NetCDF folder, chunk index, Zarr store), checked against
// xarray where the meaning overlaps (tests/python/nearest_valid_xarray.py).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "drill_test_util.h"

namespace pixeldrill::testing {
namespace {

// A land pixel of the synthetic mask (central Australia) and a coastal
// mooring whose nearest pixel is land but has ocean within 300 km.
constexpr const char* kLand = "-25,135";
constexpr const char* kCoastLat = "-33.9";
constexpr const char* kCoastLon = "121.9";

class PapercutsInput : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    const std::string c = tmp_->str("coll");
    ASSERT_EQ(run(pixeldrill() + " synth " + c +
                  " --decimate 50 -q --threads 2 --no-gaps --from 2016-01-01 --to 2016-01-04")
                  .status,
              0);
    ASSERT_EQ(
        run(pixeldrill() + " index " + c + " -o " + tmp_->str("c.pdx") + " 2>/dev/null").status, 0);
    // --var: the alias of --vars in convert too.
    ASSERT_EQ(run(pixeldrill() + " convert " + c + " -o " + tmp_->str("c.zarr") +
                  " --chunks 4,32,32 -q --var sea_surface_temperature,quality_level 2>/dev/null")
                  .status,
              0);
    std::ofstream list(tmp_->str("files.txt"));
    for (const auto& f : files()) list << f << "\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

 protected:
  static std::vector<std::string> files() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(tmp_->str("coll"))) {
      if (e.path().extension() == ".nc") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::pair<std::string, std::string>> backends() {
    return {{"netcdf", tmp_->str("coll")},
            {"index", tmp_->str("c.pdx")},
            {"store", tmp_->str("c.zarr")}};
  }
  CommandResult drill(const std::string& source, const std::string& args) {
    auto r = run(pixeldrill() + " drill " + source + " " + args + " 2>" + tmp_->str("err.txt"));
    err_ = read_text(tmp_->str("err.txt"));
    return r;
  }
  static std::string xarray(const std::string& args) {
    const auto r = run(python() + " " + python_script("nearest_valid_xarray.py") + " " +
                       tmp_->str("files.txt") + " " + args);
    EXPECT_EQ(r.status, 0) << args;
    return r.out;
  }
  static std::string write(const std::string& name, const std::string& text) {
    std::ofstream(tmp_->str(name), std::ios::binary) << text;
    return tmp_->str(name);
  }

  static inline TempDir* tmp_ = nullptr;
  std::string err_;
};

// Column `name` of a drill CSV, one entry per data row.
std::vector<std::string> column(const std::string& csv, const std::string& name) {
  const auto t = parse_csv(csv);
  std::vector<std::string> out;
  if (t.empty()) return out;
  const auto it = std::find(t[0].begin(), t[0].end(), name);
  if (it == t[0].end()) return out;
  const size_t c = static_cast<size_t>(it - t[0].begin());
  for (size_t i = 1; i < t.size(); ++i) out.push_back(c < t[i].size() ? t[i][c] : "");
  return out;
}

TEST_F(PapercutsInput, LandPointIsSaidOnStderrJsonAndNetcdf) {
  // xarray: the nearest pixel and that it never has a value.
  const auto ref = lines(xarray(std::string(kLand).replace(3, 1, " ") + " 1"));
  ASSERT_GE(ref.size(), 1u);
  const auto near = split(ref[0], ',');
  ASSERT_EQ(near[2], "False") << "the test's land point has data: " << ref[0];
  for (const auto& [name, source] : backends()) {
    const auto r = drill(source, std::string("--point ") + kLand + " --format json");
    EXPECT_EQ(r.status, 0) << name;
    const std::string said = "no valid value at -25,135 in the whole collection (pixel " + near[0] +
                             "," + near[1] + " is land or was never observed then)";
    EXPECT_NE(err_.find(said), std::string::npos) << name << ": " << err_;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["notes"].size(), 1u) << name;
    EXPECT_NE(doc["notes"][0].get<std::string>().find(said), std::string::npos) << name;
    EXPECT_FALSE(doc["partial"].get<bool>());
    for (const auto& row : doc["data"]) EXPECT_TRUE(row["sea_surface_temperature"].is_null());
  }
  // NetCDF: the note is a global attribute, read back by xarray.
  const std::string nc = tmp_->str("land.nc");
  ASSERT_EQ(drill(tmp_->str("c.zarr"), std::string("--point ") + kLand + " -o " + nc).status, 0);
  const auto attr = run(python() + " -c \"import xarray as xr; print(xr.open_dataset('" + nc +
                        "').attrs['pixeldrill_notes'])\"");
  EXPECT_NE(attr.out.find("no valid value at -25,135"), std::string::npos) << attr.out;
}

TEST_F(PapercutsInput, DateRangeWithoutDataNamesRangeAndSpanOnEveryBackend) {
  for (const auto& [name, source] : backends()) {
    const auto r = drill(source, "--point -40,100 --from 2030-01 --to 2030-02");
    EXPECT_EQ(r.status, 1) << name;
    EXPECT_EQ(r.out, "") << name;
    EXPECT_NE(err_.find("no time step in 2030-01-01T00:00:00Z..2030-02-28T23:59:59Z"),
              std::string::npos)
        << name << ": " << err_;
    EXPECT_NE(err_.find("2016-01-01..2016-01-04"), std::string::npos) << name << ": " << err_;
  }
}

TEST_F(PapercutsInput, NearestValidPicksTheSamePixelAsXarrayOnEveryBackend) {
  const auto ref = lines(xarray(std::string(kCoastLat) + " " + kCoastLon + " 300"));
  ASSERT_EQ(ref.size(), 2u);
  ASSERT_NE(ref[0].find("False"), std::string::npos) << "the coastal pixel has data: " << ref[0];
  const auto chosen = split(ref[1], ',');
  ASSERT_EQ(chosen.size(), 3u) << ref[1];
  const std::string point = std::string("--point ") + kCoastLat + "," + kCoastLon;
  for (const auto& [name, source] : backends()) {
    const auto r = drill(source, point + " --nearest-valid 300");
    ASSERT_EQ(r.status, 0) << name << ": " << err_;
    const auto lat = column(r.out, "lat"), lon = column(r.out, "lon");
    const auto km = column(r.out, "pixel_distance");
    ASSERT_EQ(lat.size(), 4u) << name << r.out;
    for (size_t i = 0; i < lat.size(); ++i) {
      EXPECT_EQ(std::stod(lat[i]), std::stod(chosen[0])) << name;
      EXPECT_EQ(std::stod(lon[i]), std::stod(chosen[1])) << name;
      EXPECT_NEAR(std::stod(km[i]), std::stod(chosen[2]), 1e-6) << name;
    }
    EXPECT_NE(err_.find("has no valid value in the time range; used pixel"), std::string::npos)
        << name << ": " << err_;
    const auto sst = column(r.out, "sea_surface_temperature");
    EXPECT_TRUE(std::any_of(sst.begin(), sst.end(), [](auto& v) { return !v.empty(); })) << name;
  }
  // Too small a radius: the nearest pixel is kept and that is said.
  const auto r = drill(tmp_->str("c.pdx"), point + " --nearest-valid 1");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(err_.find("no pixel within 1 km has a valid value"), std::string::npos) << err_;
}

TEST_F(PapercutsInput, OneStationOutsideTheGridIsReportedAndTheOthersDrilled) {
  const std::string st = write("outside.csv", "id,lat,lon\nA,-40,100\nFAR,50,0\nB,-35,150\n");
  for (const auto& [name, source] : backends()) {
    const auto r = drill(source, "--stations " + st + " --format json");
    EXPECT_EQ(r.status, 3) << name;
    EXPECT_NE(err_.find("site 'FAR' (50,0) lies outside the grid; the grid covers lat "
                        "-69.5..19.5, lon 70.5..189.5"),
              std::string::npos)
        << name << ": " << err_;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_TRUE(doc["partial"].get<bool>());
    ASSERT_EQ(doc["problems"].size(), 1u) << name;
    EXPECT_NE(doc["problems"][0]["message"].get<std::string>().find("'FAR'"), std::string::npos);
    ASSERT_EQ(doc["data"].size(), 8u) << name;  // 4 days x 2 stations
    for (const auto& row : doc["data"]) EXPECT_NE(row["site"], "FAR");
  }
}

TEST_F(PapercutsInput, SeveralSourceArgumentsAreOneCollection) {
  const auto all = files();
  ASSERT_EQ(all.size(), 4u);
  // As the shell expands an unquoted glob: separate arguments before the options.
  std::string args;
  for (const auto& f : all) args += f + " ";
  const auto several = drill(args, "--point -40,100");
  ASSERT_EQ(several.status, 0) << err_;
  const auto folder = drill(tmp_->str("coll"), "--point -40,100");
  EXPECT_EQ(several.out, folder.out);
  EXPECT_EQ(lines(several.out).size(), 5u);
  // Two of them: just their days.
  const auto two = drill(all[1] + " " + all[3], "--point -40,100");
  EXPECT_EQ(column(two.out, "time"), (std::vector<std::string>{column(folder.out, "time")[1],
                                                               column(folder.out, "time")[3]}));
  // An index among them is refused by name.
  const auto mixed = drill(all[0] + " " + tmp_->str("c.pdx"), "--point -40,100");
  EXPECT_EQ(mixed.status, 2);
  EXPECT_NE(err_.find("c.pdx: several SOURCE arguments"), std::string::npos) << err_;
}

TEST_F(PapercutsInput, LongitudesOfEitherConventionGiveTheSameSeries) {
  for (const auto& [name, source] : backends()) {
    const auto east = drill(source, "--point -40,185");
    const auto west = drill(source, "--point -40,-175");
    ASSERT_EQ(west.status, 0) << name << ": " << err_;
    EXPECT_EQ(west.out, east.out) << name;
    EXPECT_EQ(column(west.out, "lon")[0], "185.5") << name;  // pandas' tie rule at 185
    const auto box = drill(source, "--box -41,-39,184,186");
    EXPECT_EQ(drill(source, "--box -41,-39,-176,-174").out, box.out) << name;
    EXPECT_EQ(drill(source, "--bbox -176,-41,-174,-39").out, box.out) << name;
    EXPECT_EQ(lines(box.out).size(), 1u + 4u * 4u) << name;  // 2 x 2 pixels, 4 days
    const auto outside = drill(source, "--point -40,10");
    EXPECT_EQ(outside.status, 2) << name;
    EXPECT_NE(err_.find("the grid covers lat -69.5..19.5, lon 70.5..189.5"), std::string::npos)
        << name << ": " << err_;
  }
  // xarray on the 0..360 position: the same pixel and values as -175.
  const auto ref = split(lines(xarray("-40 185 1"))[0], ',');
  EXPECT_EQ(ref[0], "-39.5");  // a tie on a descending axis: the earlier pixel
  EXPECT_EQ(ref[1], "185.5");
}

TEST_F(PapercutsInput, IsoDatesWithOffsetsMonthsAndYears) {
  const std::string c = tmp_->str("c.pdx");
  const auto all = column(drill(c, "--point -40,100").out, "time");
  ASSERT_EQ(all.size(), 4u);
  // The same instant written three ways.
  const auto z = column(drill(c, "--point -40,100 --from " + all[1]).out, "time");
  EXPECT_EQ(z, std::vector<std::string>(all.begin() + 1, all.end()));
  std::string plus10 = all[1];  // e.g. 2016-01-02T15:20:00Z -> 2016-01-03T01:20:00+10:00
  const int hour = std::stoi(plus10.substr(11, 2)) + 10;
  ASSERT_GE(hour, 24) << "the synthetic files are stamped in the afternoon UTC";
  const auto offset =
      drill(c, "--point -40,100 --from 2016-01-03T" + (hour - 24 < 10 ? std::string("0") : "") +
                   std::to_string(hour - 24) + plus10.substr(13, 6) + "+10:00");
  EXPECT_EQ(column(offset.out, "time"), z) << err_;
  const auto fraction =
      drill(c, "--point -40,100 --from " + all[1].substr(0, 19) + ".001Z --to 2016");
  EXPECT_EQ(column(fraction.out, "time"), std::vector<std::string>(all.begin() + 2, all.end()));
  // Month and year: whole periods.
  EXPECT_EQ(column(drill(c, "--point -40,100 --from 2016-01 --to 2016-01").out, "time"), all);
  EXPECT_EQ(column(drill(c, "--point -40,100 --from 2016 --to 2016").out, "time"), all);
  EXPECT_EQ(drill(c, "--point -40,100 --to 2016-13").status, 2);
  EXPECT_NE(err_.find("--to: '2016-13' is not a date"), std::string::npos) << err_;
}

TEST_F(PapercutsInput, StationsCsvAsSpreadsheetsWriteIt) {
  const std::string st = write("sheet.csv",
                               "\xEF\xBB\xBF"
                               "lon,lat,id,name\r\n"
                               "100,-40,A,\"Deep, south\"\r\n"
                               "150,-35,\"B 2\",plain\r\n");
  const std::string c = tmp_->str("coll");
  const auto r = drill(c, "--stations " + st);
  ASSERT_EQ(r.status, 0) << err_;
  EXPECT_EQ(lines(r.out)[0], "time,site,lat,lon,sea_surface_temperature,quality_level");
  const auto a = drill(c, "--point -40,100");
  // Station A's values are those of the same point.
  std::vector<std::string> a_sst;
  const auto sites = column(r.out, "site"), sst = column(r.out, "sea_surface_temperature");
  for (size_t i = 0; i < sites.size(); ++i) {
    if (sites[i] == "A") a_sst.push_back(sst[i]);
  }
  EXPECT_EQ(a_sst, column(a.out, "sea_surface_temperature"));
  EXPECT_EQ(std::count(sites.begin(), sites.end(), "B 2"), 4);
  // --keep-columns: the other column in CSV (quoted as needed), JSON and NetCDF.
  const auto kept = drill(c, "--stations " + st + " --keep-columns");
  EXPECT_EQ(lines(kept.out)[0], "time,site,lat,lon,name,sea_surface_temperature,quality_level");
  EXPECT_NE(kept.out.find(",A,-39.5,100.5,\"Deep, south\","), std::string::npos) << kept.out;
  const auto json =
      nlohmann::json::parse(drill(c, "--stations " + st + " --keep-columns --format json").out);
  EXPECT_EQ(json["data"][1]["name"], "plain");
  const std::string nc = tmp_->str("kept.nc");
  ASSERT_EQ(drill(c, "--stations " + st + " --keep-columns -o " + nc).status, 0) << err_;
  const auto names = run(python() + " -c \"import xarray as xr; print(list(xr.open_dataset('" + nc +
                         "')['name'].values))\"");
  EXPECT_EQ(names.out, "['Deep, south', 'plain']\n");
}

TEST_F(PapercutsInput, SameOptionNamesAndBoxMessages) {
  const std::string c = tmp_->str("c.pdx");
  EXPECT_EQ(drill(c, "--point -40,100 --var sea_surface_temperature").out,
            drill(c, "--point -40,100 --vars sea_surface_temperature").out);
  EXPECT_EQ(run(pixeldrill() + " synth " + tmp_->str("s2") +
                " --decimate 50 -q --from 2016-01-01 --to 2016-01-01 --var "
                "sea_surface_temperature 2>/dev/null")
                .status,
            0);
  const auto swapped = drill(c, "--box -39,-41,99,101");
  EXPECT_EQ(swapped.status, 2);
  EXPECT_NE(err_.find("south is north of north; did you mean --box -41,-39,99,101?"),
            std::string::npos)
      << err_;
  const auto bbox = drill(c, "--bbox 99,-39,101,-41");
  EXPECT_EQ(bbox.status, 2);
  EXPECT_NE(err_.find("did you mean --bbox 99,-41,101,-39?"), std::string::npos) << err_;
  EXPECT_EQ(drill(c, "--bbox 99,-41,101,-39").out, drill(c, "--box -41,-39,99,101").out);
}

}  // namespace
}  // namespace pixeldrill::testing

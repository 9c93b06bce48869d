#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "../index/index_test_util.h"
#include "core/civil_time.h"
#include "drill/index_dataset.h"
#include "index/indexer.h"
#include "index/kerchunk_refs.h"

namespace pixeldrill::testing {
namespace {

namespace fs = std::filesystem;

struct PyQuery {
  std::string refs;
  double lat = 0, lon = 0;
  std::string var;
};

struct PySeries {
  double lat = NAN, lon = NAN;
  // ISO time -> (float64 decode of the stored numbers, xarray's own decode)
  std::vector<std::tuple<std::string, double, double>> values;
};

// One python process for all queries: importing xarray costs a second or more.
std::vector<PySeries> read_with_xarray(const TempDir& dir, const std::vector<PyQuery>& queries) {
  nlohmann::json spec = nlohmann::json::array();
  for (const auto& q : queries) {
    spec.push_back({{"refs", q.refs}, {"lat", q.lat}, {"lon", q.lon}, {"var", q.var}});
  }
  const std::string path = dir / "queries.json";
  std::ofstream(path) << spec.dump();
  const auto r = run(python() + " " + python_script("index_kerchunk_read.py") + " " + path);
  EXPECT_EQ(r.status, 0);
  std::vector<PySeries> out(queries.size());
  for (const auto& line : lines(r.out)) {
    const auto f = split(line, ' ');
    const size_t i = std::stoul(f.at(0));
    if (f.size() == 4 && f[1] == "pixel") {
      out.at(i).lat = std::stod(f[2]);
      out.at(i).lon = std::stod(f[3]);
    } else if (f.size() == 4) {
      auto num = [](const std::string& s) { return s == "nan" ? NAN : std::stod(s); };
      out.at(i).values.emplace_back(f[1], num(f[2]), num(f[3]));
    }
  }
  return out;
}

// The index drill's series of `var` at a point, keyed by ISO time.
std::map<std::string, double> drill_point(const drill::IndexDataset& source, double lat, double lon,
                                          const std::string& var, double* plat, double* plon) {
  drill::Query q;
  q.sites = {{"", lat, lon}};
  q.vars = {var};
  const auto s = source.drill(q);
  std::map<std::string, double> out;
  for (const auto& row : s.rows) {
    out[format_iso8601(row.time)] = row.values[0];
    *plat = row.lat;
    *plon = row.lon;
  }
  return out;
}

// Stored numbers decoded in float64 must equal the drill bit for bit;
// xarray's default decoding (float32 for masked shorts) to float32 precision.
size_t compare(const PySeries& py, const std::map<std::string, double>& ours, double lat,
               double lon, const std::string& what) {
  EXPECT_EQ(py.lat, lat) << what;
  EXPECT_EQ(py.lon, lon) << what;
  size_t valid = 0;
  for (const auto& [time, exact, decoded] : py.values) {
    const auto it = ours.find(time);
    if (it == ours.end()) {
      ADD_FAILURE() << what << ": xarray has time " << time << " the drill has not";
      continue;
    }
    EXPECT_TRUE(same_double(exact, it->second))
        << what << " " << time << ": refs " << exact << " drill " << it->second;
    EXPECT_EQ(std::isnan(decoded), std::isnan(it->second)) << what << " " << time;
    if (!std::isnan(decoded)) {
      EXPECT_NEAR(decoded, it->second, 2e-7 * std::fabs(it->second) + 1e-9) << what << " " << time;
    }
    valid += !std::isnan(exact);
  }
  return valid;
}

TEST(Kerchunk, PerFileAndCombinedRefsReadByXarrayEqualTheDrill) {
  TempDir dir;
  const std::string c = make_mixed_collection(dir);
  const std::string idx = dir / "c.pdx";
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + idx + " 2>/dev/null").status, 0);
  ASSERT_EQ(
      run(pixeldrill() + " refs " + idx + " -o " + (dir / "per-file") + " 2>/dev/null").status, 0);
  ASSERT_EQ(
      run(pixeldrill() + " refs " + c + " -o " + (dir / "all.json") + " --combined 2>/dev/null")
          .status,
      0);
  // 2015, 2016 (other chunks) and 2020 (no sea ice) groups.
  ASSERT_TRUE(fs::exists(dir / "all-g0.json"));
  ASSERT_TRUE(fs::exists(dir / "all-g2.json"));
  EXPECT_FALSE(fs::exists(dir / "all-g3.json"));
  drill::IndexDataset source(idx, index::read_index(idx));

  const std::vector<std::pair<double, double>> points = {
      {-45, 100}, {-40.2, 150.3}, {-20, 110}, {-60, 170}};
  const std::vector<std::string> vars = {"sea_surface_temperature", "sses_bias", "quality_level",
                                         "sst_dtime"};
  const std::vector<std::string> files = {"20151230", "20160102", "20200101"};
  std::vector<PyQuery> queries;
  for (const auto& [lat, lon] : points) {
    for (const auto& var : vars) {
      for (int g = 0; g < 3; ++g)
        queries.push_back({dir / ("all-g" + std::to_string(g) + ".json"), lat, lon, var});
    }
    for (const auto& f : files) {
      queries.push_back(
          {dir / ("per-file/" + f + "152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.json"), lat,
           lon, "sea_surface_temperature"});
    }
  }
  const auto py = read_with_xarray(dir, queries);
  size_t q = 0, valid = 0;
  for (const auto& [lat, lon] : points) {
    for (const auto& var : vars) {
      double plat = 0, plon = 0;
      const auto ours = drill_point(source, lat, lon, var, &plat, &plon);
      PySeries combined{py[q].lat, py[q].lon, {}};
      for (int g = 0; g < 3; ++g, ++q) {
        combined.values.insert(combined.values.end(), py[q].values.begin(), py[q].values.end());
      }
      EXPECT_EQ(combined.values.size(), ours.size()) << var;
      valid += compare(combined, ours, plat, plon, "combined " + var);
    }
    double plat = 0, plon = 0;
    const auto ours = drill_point(source, lat, lon, "sea_surface_temperature", &plat, &plon);
    for (const auto& f : files) {
      EXPECT_EQ(py[q].values.size(), 1u);
      valid += compare(py[q++], ours, plat, plon, "per-file " + f);
    }
  }
  EXPECT_GT(valid, 20u);
}

TEST(Kerchunk, RefsFollowTheSpecAndZarrCodecOrderOnARealFile) {
  TempDir dir;
  const std::string file = fixture("L3S-1d_day_2017_subset_a.nc");
  const auto idx = index::build_index(file, nullptr, {1, false}, nullptr);
  const auto refs = index::kerchunk::file_refs(idx, 0, nullptr);
  EXPECT_EQ(refs["version"], 1);
  const auto& r = refs["refs"];
  const auto zarray =
      nlohmann::json::parse(r["sea_surface_temperature/.zarray"].get<std::string>());
  EXPECT_EQ(zarray["zarr_format"], 2);
  EXPECT_EQ(zarray["dtype"], "<i2");
  EXPECT_EQ(zarray["fill_value"], -32768);
  // HDF5 applies shuffle then deflate; zarr v2 runs filters before the compressor on encode.
  EXPECT_EQ(zarray["filters"][0]["id"], "shuffle");
  EXPECT_EQ(zarray["filters"][0]["elementsize"], 2);
  EXPECT_EQ(zarray["compressor"]["id"], "zlib");
  EXPECT_EQ(zarray["compressor"]["level"], 3);
  const auto zattrs =
      nlohmann::json::parse(r["sea_surface_temperature/.zattrs"].get<std::string>());
  EXPECT_EQ(zattrs["_ARRAY_DIMENSIONS"], (nlohmann::json{"time", "lat", "lon"}));
  EXPECT_EQ(zattrs["units"], "kelvin");
  EXPECT_TRUE(zattrs.contains("add_offset"));
  EXPECT_TRUE(r.contains(".zmetadata"));
  const auto& chunk = r["sea_surface_temperature/0.0.0"];
  ASSERT_TRUE(chunk.is_array());
  EXPECT_EQ(chunk[0], idx.files[0].path);

  // The real packing, decoded by xarray from the refs, equals the drill.
  const std::string out = dir / "f.json";
  std::ofstream(out) << refs.dump();
  const std::string pdx = dir / "f.pdx";
  index::write_index(idx, pdx);
  drill::IndexDataset source(pdx, index::read_index(pdx));
  const auto& g = idx.grids[0];
  std::vector<PyQuery> queries;
  for (size_t row = 0; row < g.lat.size(); row += 2) {
    for (size_t col = 0; col < g.lon.size(); col += 4) {
      queries.push_back({out, g.lat.values[row], g.lon.values[col], "sea_surface_temperature"});
    }
  }
  const auto py = read_with_xarray(dir, queries);
  size_t valid = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    double plat = 0, plon = 0;
    const auto ours =
        drill_point(source, queries[i].lat, queries[i].lon, queries[i].var, &plat, &plon);
    valid += compare(py[i], ours, plat, plon, "2017 fixture query " + std::to_string(i));
  }
  EXPECT_GT(valid, 10u);
}

}  // namespace
}  // namespace pixeldrill::testing

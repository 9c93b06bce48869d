// `pixeldrill drill --box ... --format netcdf` without --reduce: a CF
// (time, lat, lon) cube checked against xarray's own selection on the source
// files, equal over the folder, the index and both store modes; the size
// estimate and --max-size; --plot-map and its mean grid against xarray.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "../drill/drill_test_util.h"
#include "../support/test_cache.h"

namespace pixeldrill::testing {
namespace {

const char* kVars = "sea_surface_temperature,quality_level";
// 8 x 10 pixels of the 1-degree test grid, land (Western Australia) included.
const char* kBox = "-36,-28,110,119.5";

class BoxCube : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    // 30 days at 90 x 120 in two files of 15 steps: each file has its own add_offset, so a
    // range inside one file keeps the packing and one across both cannot. The whole grid is
    // two streamed blocks (24 + 6 steps).
    data_ = cached_test_data("box-cube-30d-2files", [](const std::string& dir) {
      const std::string c = dir + "/coll";
      return run(pixeldrill_bin() + " synth " + c +
                 " --from 2024-01-01 --to 2024-01-30 --decimate 50 --no-gaps --seed 3"
                 " --steps-per-file 15 --threads 2 -q --vars " +
                 kVars)
                     .status == 0 &&
             run(pixeldrill_bin() + " index " + c + " -o " + dir + "/c.pdx 2>&1").status == 0 &&
             run(pixeldrill_bin() + " convert " + c + " -o " + dir + "/exact.zarr" +
                 " --chunks 7,32,32 -q --vars " + kVars + " 2>&1")
                     .status == 0 &&
             run(pixeldrill_bin() + " convert " + c + " -o " + dir + "/packed.zarr" +
                 " --mode packed --chunks 7,32,32 -q --vars " + kVars + " 2>&1")
                     .status == 0 &&
             run("find " + c + " -name '*.nc' | sort > " + dir + "/files.txt").status == 0;
    });
    ASSERT_FALSE(data_.empty());
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  static std::string coll() { return data_ + "/coll"; }
  static std::string files() { return data_ + "/files.txt"; }
  static CommandResult drill(const std::string& source, const std::string& args) {
    return run(pixeldrill_bin() + " drill " + source + " " + args + " 2>&1");
  }
  static CommandResult check_cube(const std::string& cube, const std::string& box,
                                  const std::string& from, const std::string& to,
                                  const std::string& extra = "") {
    return run(python() + " " + python_script("cube_xarray.py") + " " + cube + " " + files() +
               " --box=" + box + " " + from + " " + to + " " + kVars + " " + extra + " 2>&1");
  }
  static CommandResult compare(const std::string& a, const std::string& b,
                               const std::string& extra = "") {
    return run(python() + " " + python_script("cube_compare.py") + " " + a + " " + b + " " + extra +
               " 2>&1");
  }
  static inline TempDir* tmp_ = nullptr;
  static inline std::string data_;
};

TEST_F(BoxCube, FolderCubeEqualsXarraySelectionWithTheSourcePacking) {
  const std::string nc = tmp_->str("folder.nc");
  const auto r = drill(coll(), std::string("--box ") + kBox + " --vars " + kVars +
                                   " --from 2024-01-03 --to 2024-01-12 --format netcdf -o " + nc);
  ASSERT_EQ(r.status, 0) << r.out;
  // The estimate comes first: 10 steps x 8 x 10 pixels x (short + byte) + coordinates.
  EXPECT_NE(r.out.find("cube 10 x 8 x 10 (time x lat x lon), 2 variables, about 2.5 KB"),
            std::string::npos)
      << r.out;
  // One file: its short + scale_factor/add_offset kept, the integers copied.
  const auto check = check_cube(nc, kBox, "2024-01-03", "2024-01-12", "--expect-packed");
  EXPECT_EQ(check.out, "OK 10 8 10\n");
  // Across both files add_offset differs: float32 of the decoded values, quality_level kept.
  const std::string across = tmp_->str("across.nc");
  ASSERT_EQ(drill(coll(), std::string("--box ") + kBox + " --vars " + kVars +
                              " --from 2024-01-10 --to 2024-01-20 --format netcdf -o " + across)
                .status,
            0);
  EXPECT_EQ(check_cube(across, kBox, "2024-01-10", "2024-01-20", "--expect-float").out,
            "OK 11 8 10\n");
  // Land pixels (never valid) are fills in every step.
  const auto land = run(python() + " -c \"import xarray as x; d=x.open_dataset('" + nc +
                        "'); print(int(d.sea_surface_temperature.isnull().all('time').sum()))\"");
  EXPECT_GT(std::stoi(land.out), 0);
}

TEST_F(BoxCube, IndexAndStoresGiveTheSameCube) {
  const std::string range = std::string(" --box ") + kBox + " --vars " + kVars +
                            " --from 2024-01-05 --to 2024-01-25 --format netcdf -o ";
  ASSERT_EQ(drill(coll(), range + tmp_->str("f.nc")).status, 0);
  ASSERT_EQ(drill(data_ + "/c.pdx", range + tmp_->str("i.nc")).status, 0);
  ASSERT_EQ(drill(data_ + "/packed.zarr", range + tmp_->str("p.nc")).status, 0);
  ASSERT_EQ(drill(data_ + "/exact.zarr", range + tmp_->str("e.nc")).status, 0);
  // Folder and index: the same stored numbers, types and attributes.
  auto c = compare(tmp_->str("f.nc"), tmp_->str("i.nc"), "--same-encoding");
  EXPECT_EQ(c.out, "SAME\n");
  for (const char* name : {"f.nc", "i.nc", "e.nc"}) {
    EXPECT_EQ(check_cube(tmp_->str(name), kBox, "2024-01-05", "2024-01-25", "--expect-float").out,
              "OK 21 8 10\n")
        << name;
  }
  // The exact store holds float32 of each decoded value, as the folder's cube does here.
  c = compare(tmp_->str("f.nc"), tmp_->str("e.nc"), "--same-encoding");
  EXPECT_EQ(c.out, "SAME\n");
  // The packed store has one packing (its own re-centred add_offset) for every step, so its
  // cube stays short; the store re-quantised the second file's values: within half a quantum.
  EXPECT_EQ(check_cube(tmp_->str("p.nc"), kBox, "2024-01-05", "2024-01-25",
                       "--expect-packed --tolerance 0.005")
                .out,
            "OK 21 8 10\n");
}

TEST_F(BoxCube, WholeGridOverSeveralBlocksWithMaskAndCelsius) {
  const std::string nc = tmp_->str("whole.nc");
  const auto r = drill(data_ + "/c.pdx", std::string("--box -90,90,0,360 --vars ") + kVars +
                                             " --min-quality 4 --celsius --format netcdf -o " + nc);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto check = check_cube(nc, "-90,90,0,360", "2024-01-01", "2024-01-30",
                                "--min-quality 4 --celsius --expect-float");
  EXPECT_EQ(check.out, "OK 30 90 120\n") << check.out;
  // One file: --celsius keeps the stored integers and moves add_offset by -273.15.
  const std::string second = tmp_->str("second.nc");
  ASSERT_EQ(
      drill(coll(), std::string("--box -90,90,0,360 --vars ") + kVars +
                        " --min-quality 4 --celsius --from 2024-01-16 --format netcdf -o " + second)
          .status,
      0);
  EXPECT_EQ(check_cube(second, "-90,90,0,360", "2024-01-16", "2024-01-30",
                       "--min-quality 4 --celsius --expect-packed")
                .out,
            "OK 15 90 120\n");
  const auto off =
      run(python() + " -c \"import xarray as x; d=x.open_dataset('" + second +
          "', mask_and_scale=False); s=d.sea_surface_temperature; "
          "o=x.open_dataset('" +
          data_ +
          "/coll/2024/20240116152000-ABOM-L3S_GHRSST-"
          "SSTskin-AVHRR_D-1d_night.nc', mask_and_scale=False).sea_surface_temperature;"
          " print(s.attrs['units'], abs(float(s.attrs['add_offset']) - "
          "(float(o.attrs['add_offset']) - 273.15)) < 1e-9)\"");
  EXPECT_EQ(off.out, "degree_Celsius True\n");
}

TEST_F(BoxCube, MaxSizeRefusesWithTheEstimate) {
  const std::string nc = tmp_->str("big.nc");
  const auto r = drill(coll(), "--box -90,90,0,360 --format netcdf --max-size 500K -o " + nc);
  EXPECT_EQ(r.status, 2) << r.out;
  // 30 x 90 x 120 x (2 + 1) bytes + coordinates = 972,000 + 1,080 bytes.
  EXPECT_NE(r.out.find("--max-size 500K: the cube would be 30 x 90 x 120 (time x lat x lon), 2 "
                       "variables, about 950.3 KB uncompressed, more than the limit of 500.0 KB"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(nc));
  EXPECT_EQ(drill(coll(), "--box -90,90,0,360 --format netcdf --max-size 1M -o " + nc).status, 0);
  EXPECT_EQ(drill(coll(), "--box -90,90,0,360 --format netcdf --max-size lots -o " + nc).status, 2);
  // Only a cube has a size to limit.
  const auto point = drill(coll(), "--point -32,115 --max-size 1M");
  EXPECT_EQ(point.status, 2);
  EXPECT_NE(point.out.find("--max-size applies to a --box cube"), std::string::npos) << point.out;
}

// PNG width and height from its IHDR chunk.
std::pair<uint32_t, uint32_t> png_size(const std::string& bytes) {
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16) |
           (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
  };
  return {be32(16), be32(20)};
}

TEST_F(BoxCube, PlotMapMeanGridEqualsXarrayMeanOverTime) {
  const std::string png = tmp_->str("map.png");
  const auto r = drill(data_ + "/c.pdx", std::string("--box ") + kBox +
                                             " --from 2024-01-02 --to 2024-01-28 --min-quality 3"
                                             " --plot-map " +
                                             png);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string bytes = read_text(png);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png_size(bytes), std::make_pair(1000u, 800u));
  const auto ours = lines(read_text(tmp_->str("map.csv")));
  const auto ref =
      run(python() + " " + python_script("map_mean_xarray.py") + " " + files() + " --box=" + kBox +
          " 2024-01-02 2024-01-28 sea_surface_temperature --min-quality 3");
  ASSERT_EQ(ref.status, 0) << ref.out;
  const auto want = lines(ref.out);
  ASSERT_EQ(ours.size(), want.size() + 1);  // + header
  EXPECT_EQ(ours[0], "lat,lon,sea_surface_temperature_mean,count");
  size_t land = 0, sea = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto a = split(ours[i + 1], ','), b = split(want[i], ',');
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0], b[0]);
    EXPECT_EQ(a[1], b[1]);
    EXPECT_EQ(a[3], b[3]) << "count at " << a[0] << "," << a[1];
    if (b[2].empty()) {
      EXPECT_TRUE(a[2].empty());
      ++land;
    } else {
      EXPECT_NEAR(std::stod(a[2]), std::stod(b[2]), 1e-9) << a[0] << "," << a[1];
      ++sea;
    }
  }
  EXPECT_GT(land, 0u);
  EXPECT_GT(sea, 0u);
  // With -o the cube is written in the same pass.
  EXPECT_EQ(drill(coll(), std::string("--box ") + kBox + " --plot-map " + png +
                              " --format netcdf -o " + tmp_->str("both.nc"))
                .status,
            0);
  EXPECT_TRUE(std::filesystem::exists(tmp_->str("both.nc")));
  EXPECT_EQ(drill(coll(), "--point -32,115 --plot-map " + png).status, 2);
}

TEST_F(BoxCube, SeriesPlotColoursPointsByQuality) {
  const std::string png = tmp_->str("series.png");
  const auto r = drill(coll(), "--point -40,150 --plot " + png + " -o " + tmp_->str("s.csv"));
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string bytes = read_text(png);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png_size(bytes), std::make_pair(1200u, 600u));
}

}  // namespace
}  // namespace pixeldrill::testing

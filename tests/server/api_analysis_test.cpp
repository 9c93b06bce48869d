// The JSON API's analysis parameters (aggregate, stats, climatology, mhw,
// gapfill) and the box cube download through the real server over a
// socket, each equal to what `pixeldrill drill` gives for the same options;
// a cube larger than the server's limit is refused with 413 and the estimate.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <thread>

#include "server/http_server.h"
#include "server_test_util.h"

namespace pixeldrill::testing {
namespace {

class ApiAnalysis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("pixeldrill-api-analysis");
    ASSERT_TRUE(make_server_collection(dir_->str("c")));
    server::ServerConfig config;
    config.port = 0;
    config.threads = 4;
    config.access_log = "off";
    // The whole 6 x 90 x 120 grid (short + byte) is about 190 KB; a 10 x 10 box far less.
    config.max_cube_bytes = 100'000;
    config.datasets = {{"sst", dir_->str("c"), "Synthetic SST", "test", "CC-BY 4.0"}};
    std::vector<server::ServedDataset> served = {
        {config.datasets[0], drill::open_dataset(dir_->str("c"))}};
    service_ = std::make_shared<server::Service>(config, served);
    http_ = std::make_unique<server::HttpServer>(service_);
    port_ = http_->bind();
    thread_ = std::thread([] { http_->run(); });
  }
  static void TearDownTestSuite() {
    http_->stop();
    thread_.join();
    http_.reset();
    service_.reset();
    dir_.reset();
  }
  static httplib::Result get(const std::string& target) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120);
    return c.Get(target.c_str());
  }
  static std::string cli(const std::string& args) {
    const auto r = run(pixeldrill() + " drill " + dir_->str("c") + " " + args + " 2>/dev/null");
    EXPECT_EQ(r.status, 0) << args;
    return r.out;
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::shared_ptr<server::Service> service_;
  static inline std::unique_ptr<server::HttpServer> http_;
  static inline std::thread thread_;
  static inline int port_ = 0;
};

TEST_F(ApiAnalysis, AggregateAndStatsEqualTheCli) {
  auto r =
      get("/api/v1/datasets/sst/drill?point=-40.2,150.3&var=sea_surface_temperature"
          "&aggregate=day&stats=mean,count&min_quality=2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, cli("--point -40.2,150.3 --var sea_surface_temperature --aggregate day "
                         "--stats mean,count --min-quality 2"));
  EXPECT_NE(r->body.find("sea_surface_temperature_mean,sea_surface_temperature_count"),
            std::string::npos);
  r =
      get("/api/v1/datasets/sst/drill?box=-44,-36,145,155&reduce=mean&var=sea_surface_temperature"
          "&aggregate=week&format=json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, cli("--box -44,-36,145,155 --reduce mean --var sea_surface_temperature "
                         "--aggregate week --format json"));
}

TEST_F(ApiAnalysis, ClimatologyHeatwavesAndGapfillEqualTheCli) {
  const std::string where = "point=-40.2,150.3&var=sea_surface_temperature&climatology=2024-2024";
  auto r = get("/api/v1/datasets/sst/drill?" + where);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string args =
      "--point -40.2,150.3 --var sea_surface_temperature --climatology 2024-2024";
  EXPECT_EQ(r->body, cli(args));
  EXPECT_NE(r->body.find("sea_surface_temperature_anomaly"), std::string::npos);
  r = get("/api/v1/datasets/sst/drill?" + where + "&mhw=true&gapfill=2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, cli(args + " --mhw --gapfill 2"));
  EXPECT_EQ(r->body.rfind("site,lat,lon,start,end,peak,duration_days", 0), 0u) << r->body;
  r = get("/api/v1/datasets/sst/drill?" + where + "&mhw=1&format=json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, cli(args + " --mhw --format json"));
  // Bad analysis parameters are the caller's to fix, with the CLI's message.
  for (const std::string bad :
       {"&aggregate=fortnight", "&mhw=maybe", "&gapfill=-1", "&stats=median&aggregate=day",
        "&aggregate=day", "&mhw=true&format=netcdf"}) {
    r = get("/api/v1/datasets/sst/drill?" + where + bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  r = get("/api/v1/datasets/sst/drill?point=-40.2,150.3&mhw=true");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("--mhw needs --climatology"), std::string::npos) << r->body;
}

TEST_F(ApiAnalysis, BoxCubeDownloadEqualsTheCliCube) {
  auto r = get("/api/v1/datasets/sst/drill?box=-44,-36,145,155&format=netcdf&from=2024-01-02");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-netcdf");
  EXPECT_NE(r->get_header_value("X-Pixeldrill-Cube").find("5 x 8 x 10 (time x lat x lon)"),
            std::string::npos)
      << r->get_header_value("X-Pixeldrill-Cube");
  TempDir tmp("pixeldrill-api-cube");
  { std::ofstream(tmp.str("api.nc"), std::ios::binary) << r->body; }
  cli("--box -44,-36,145,155 --from 2024-01-02 --format netcdf -o " + tmp.str("cli.nc"));
  const auto same = run(python() + " " + python_script("cube_compare.py") + " " +
                        tmp.str("api.nc") + " " + tmp.str("cli.nc") + " --same-encoding 2>&1");
  EXPECT_EQ(same.out, "SAME\n");
}

TEST_F(ApiAnalysis, CubeOverTheLimitIsRefusedWith413AndTheEstimate) {
  auto r = get("/api/v1/datasets/sst/drill?box=-90,90,0,360&format=netcdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("the cube would be 6 x 90 x 120 (time x lat x lon)"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("more than the limit of 97.7 KB"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace pixeldrill::testing

// The server over a real socket (cpp-httplib client against HttpServer), the
// JSON API against `pixeldrill drill`, and the web page in Debian's chromium.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "../support/test_paths.h"
#include "server/http_server.h"
#include "server_test_util.h"

namespace pixeldrill::testing {
namespace {

class ServerOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("pixeldrill-http");
    ASSERT_TRUE(make_server_collection(dir_->str("c")));
    server::ServerConfig config;
    config.port = 0;
    config.threads = 8;
    config.max_values = 50000;
    config.access_log = dir_->str("access.log");
    config.web_dir = std::string(PIXELDRILL_SOURCE_DIR) + "/web/dist";
    if (!std::filesystem::exists(config.web_dir)) config.web_dir.clear();
    config.datasets = {{"sst", dir_->str("c"), "Synthetic SST", "test", "CC-BY 4.0"}};
    std::vector<server::ServedDataset> served = {
        {config.datasets[0], std::make_shared<InfoFilledDataset>(dir_->str("c"))}};
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
  static httplib::Client client() { return httplib::Client("127.0.0.1", port_); }
  static std::string base() { return "http://127.0.0.1:" + std::to_string(port_); }
  static std::string folder() { return dir_->str("c"); }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::shared_ptr<server::Service> service_;
  static inline std::unique_ptr<server::HttpServer> http_;
  static inline std::thread thread_;
  static inline int port_ = 0;
};

TEST_F(ServerOverHttp, GriddapCorsEtagNotModifiedAndAccessLog) {
  auto c = client();
  const std::string url = "/erddap/griddap/sst.csv?sea_surface_temperature[0][(-40.2)][(150.3)]";
  auto r = c.Get(url.c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  const std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_FALSE(r->get_header_value("Last-Modified").empty());
  auto again = c.Get(url.c_str(), {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto big = c.Get("/erddap/griddap/sst.csv?sea_surface_temperature");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("Error {\n    code=413;"), std::string::npos);
  // A request line longer than the library's bound is refused, not parsed.
  auto huge = c.Get(("/erddap/griddap/sst.csv?" + std::string(20000, 'a')).c_str());
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 414);
  // One access-log line per request: method, target, status, bytes, milliseconds.
  // A line is written after its response is sent, so on a busy machine the
  // last ones may land a moment after the client has its answer: wait for
  // all four (bounded), then check them.
  std::vector<std::string> log;
  for (int i = 0; i < 200 && log.size() < 4; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = lines(read_text(dir_->str("access.log")));
  }
  ASSERT_GE(log.size(), 4u) << read_text(dir_->str("access.log"));
  // Lines are written as requests finish, so their order is not asserted.
  bool logged_200 = false;
  for (const auto& line : log) {
    logged_200 |= line.find("\"GET " + url + "\" 200 ") != std::string::npos &&
                  line.find("ms") != std::string::npos;
  }
  EXPECT_TRUE(logged_200) << read_text(dir_->str("access.log"));
  bool logged_304 = false;
  for (const auto& line : log) logged_304 |= line.find("\" 304 0 ") != std::string::npos;
  EXPECT_TRUE(logged_304) << read_text(dir_->str("access.log"));
}

TEST_F(ServerOverHttp, ApiPointJsonEqualsDrillJson) {
  auto r = client().Get(
      "/api/v1/datasets/sst/drill?point=-40.2,150.3&from=2024-01-02&to=2024-01-05"
      "&min_quality=3&celsius=true&format=json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto cli = run(pixeldrill() + " drill " + folder() +
                       " --point -40.2,150.3 --from 2024-01-02 --to 2024-01-05 --min-quality 3"
                       " --celsius --format json");
  ASSERT_EQ(cli.status, 0);
  auto api = nlohmann::json::parse(r->body);
  auto want = nlohmann::json::parse(cli.out);
  EXPECT_EQ(api["data"], want["data"]);
  EXPECT_EQ(api["columns"], want["columns"]);
}

// --max-active 1: every request is worked on by the one worker thread, in
// arrival order, while 8 clients wait on their connections; each gets the
// answer (or the error) the server without a limit gives.
TEST_F(ServerOverHttp, OneWorkerAnswersConcurrentClientsAsWithoutALimit) {
  server::ServerConfig config = service_->config();
  config.max_active = 1;
  config.access_log = "off";
  std::vector<server::ServedDataset> served = {
      {config.datasets[0], std::make_shared<InfoFilledDataset>(folder())}};
  auto service = std::make_shared<server::Service>(config, served);
  server::HttpServer limited(service);
  const int port = limited.bind();
  std::thread runner([&] { limited.run(); });
  std::vector<std::string> urls;
  for (int i = 0; i < 8; ++i) {
    urls.push_back("/api/v1/datasets/sst/drill?point=" + std::to_string(-40.2 + 0.5 * i) +
                   ",150.3&format=csv");
  }
  urls.push_back("/api/v1/datasets/sst/drill?point=-91,150");  // an error, from the worker
  std::vector<std::pair<int, std::string>> got(urls.size());
  std::vector<std::thread> clients;
  for (size_t i = 0; i < urls.size(); ++i) {
    clients.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port);
      if (auto r = c.Get(urls[i])) got[i] = {r->status, r->body};
    });
  }
  for (auto& t : clients) t.join();
  limited.stop();
  runner.join();
  for (size_t i = 0; i < urls.size(); ++i) {
    auto want = client().Get(urls[i]);
    ASSERT_TRUE(want) << urls[i];
    EXPECT_EQ(got[i].first, want->status) << urls[i];
    EXPECT_EQ(got[i].second, want->body) << urls[i];
  }
  EXPECT_EQ(got.front().first, 200);
  EXPECT_EQ(got.back().first, 400);
}

TEST_F(ServerOverHttp, ApiStationsPostBoxMeanAndNetcdf) {
  const std::string stations = "id,lat,lon\nA,-40.2,150.3\nB,-35.5,160.1\n";
  auto r =
      client().Post("/api/v1/datasets/sst/drill?var=sea_surface_temperature", stations, "text/csv");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  TempDir tmp("pixeldrill-api");
  { std::ofstream(tmp.str("s.csv")) << stations; }
  auto cli = run(pixeldrill() + " drill " + folder() + " --stations " + tmp.str("s.csv") +
                 " --var sea_surface_temperature");
  EXPECT_EQ(r->body, cli.out);
  r = client().Get(
      "/api/v1/datasets/sst/drill?box=-44,-36,145,155&reduce=mean&var=sea_surface_temperature");
  ASSERT_TRUE(r);
  cli = run(pixeldrill() + " drill " + folder() +
            " --box -44,-36,145,155 --reduce mean --var sea_surface_temperature");
  EXPECT_EQ(r->body, cli.out);
  r = client().Get("/api/v1/datasets/sst/drill?point=-40.2,150.3&format=netcdf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.substr(1, 3), "HDF");
}

// Issue #13: the server parses the query with the CLI's parser, so bbox, vars,
// nearest_valid and ISO months reach it too, with the same answers.
TEST_F(ServerOverHttp, ApiTakesTheCliInputForms) {
  auto r = client().Get(
      "/api/v1/datasets/sst/drill?bbox=145,-44,155,-36&reduce=mean&vars=sea_surface_temperature"
      "&from=2024-01&to=2024-01");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto cli = run(pixeldrill() + " drill " + folder() +
                 " --box -44,-36,145,155 --reduce mean --vars sea_surface_temperature"
                 " --from 2024-01-01 --to 2024-01-31");
  EXPECT_EQ(r->body, cli.out);
  r = client().Get("/api/v1/datasets/sst/drill?point=-40.2,-209.7&nearest_valid=200");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  cli = run(pixeldrill() + " drill " + folder() + " --point -40.2,150.3 --nearest-valid 200");
  EXPECT_EQ(r->body, cli.out);
  EXPECT_NE(r->body.find(",pixel_distance\n"), std::string::npos) << r->body;
}

TEST_F(ServerOverHttp, ApiErrorsCarryTheCliMessage) {
  auto r = client().Get("/api/v1/datasets/sst/drill?point=-95,150");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  const auto cli = run(pixeldrill() + " drill " + folder() + " --point -95,150 2>&1");
  const std::string message = nlohmann::json::parse(r->body)["error"]["message"];
  EXPECT_NE(cli.out.find(message), std::string::npos) << message << " vs " << cli.out;
  r = client().Post("/api/v1/datasets/sst/drill", "id,lat,lon\nA,x,1\n", "text/csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("(POST body) line 2"), std::string::npos) << r->body;
  r = client().Get("/api/v1/datasets/nope/drill?point=1,1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client().Get("/api/v1/datasets/sst/drill?point=1,1&bogus=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerOverHttp, MapImageIsAPngOfTheGrid) {
  auto r = client().Get("/api/v1/datasets/sst/map.png");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  ASSERT_GT(r->body.size(), 33u);
  EXPECT_EQ(r->body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(r->body[at + i]);
    return v;
  };
  EXPECT_EQ(be32(16), 120u);  // width = lon size
  EXPECT_EQ(be32(20), 90u);   // height = lat size
  // Checked by an independent decoder.
  TempDir tmp("pixeldrill-map");
  { std::ofstream(tmp.str("m.png"), std::ios::binary) << r->body; }
  const auto py =
      run(python() + " -c \"import matplotlib.image as m; a=m.imread('" + tmp.str("m.png") +
          "'); print(a.shape[0], a.shape[1], len(set(map(tuple, a.reshape(-1, "
          "a.shape[2]).tolist()))) > 10)\"");
  EXPECT_EQ(py.out, "90 120 True\n");
}

TEST_F(ServerOverHttp, WebPageInChromium) {
  const std::string web = std::string(PIXELDRILL_SOURCE_DIR) + "/web";
  ASSERT_TRUE(std::filesystem::exists(web + "/dist/index.html") &&
              std::filesystem::exists(web + "/node_modules/playwright-core"))
      << "the web front end is not built: bash scripts/setup.sh (npm ci && npm run build in web/)";
  // An ocean pixel with valid values, found through the API.
  std::string lat, lon;
  for (const char* p :
       {"-40.2,150.3", "-35.5,160.1", "-45.0,140.0", "-30.0,100.0", "-50.0,170.0"}) {
    auto r = client().Get(
        (std::string("/api/v1/datasets/sst/drill?format=json&var=sea_surface_temperature&point=") +
         p)
            .c_str());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    size_t valid = 0;
    const auto answer = nlohmann::json::parse(r->body);
    for (const auto& row : answer["data"]) valid += !row["sea_surface_temperature"].is_null();
    if (valid >= 2) {
      const std::string s(p);
      lat = s.substr(0, s.find(','));
      lon = s.substr(s.find(',') + 1);
      break;
    }
  }
  ASSERT_FALSE(lat.empty());
  const std::string artifacts =
      std::filesystem::path(PIXELDRILL_BIN).parent_path().string() + "/artifacts/web";
  std::filesystem::create_directories(artifacts);
  const auto r = run("node " + web + "/test/page_test.mjs " + base() + "/ " + lat + " " + lon +
                     " " + artifacts + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(std::filesystem::exists(artifacts + "/page.png"));
}

TEST_F(ServerOverHttp, GriddapFormInChromium) {
  const std::string web = std::string(PIXELDRILL_SOURCE_DIR) + "/web";
  ASSERT_TRUE(std::filesystem::exists(web + "/node_modules/playwright-core"))
      << "playwright-core is not installed: bash scripts/setup.sh (npm ci in web/)";
  const auto r = run("node " + web + "/test/form_test.mjs " + base() +
                     "/ sst sea_surface_temperature -40.2 150.3 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("ok: sst.htmlTable?sea_surface_temperature"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pixeldrill::testing

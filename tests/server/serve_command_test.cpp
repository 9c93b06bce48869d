// `pixeldrill serve` as a process: config files, signals (SIGHUP refresh,
// SIGTERM graceful exit), and usage errors.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "server/server_config.h"
#include "server_test_util.h"

namespace pixeldrill::testing {
namespace {

TEST(ServeConfig, TomlAndJsonGiveTheSameConfig) {
  TempDir dir("pixeldrill-serve-config");
  {
    std::ofstream(dir.str("a.toml"))
        << "bind = \"127.0.0.1\"\nport = 9000\nmax_values = 5000\nmax_active = 3\n"
           "[[dataset]]\nid = \"sst\"\nsource = \"/data/sst.zarr\"\n"
           "title = \"SST\"\nlicense = \"CC-BY 4.0\"\n";
    std::ofstream(dir.str("a.json"))
        << R"({"port": 9000, "max_values": 5000, "max_active": 3, "datasets": [{"id": "sst", "source": "/data/sst.zarr", "title": "SST", "license": "CC-BY 4.0"}]})";
  }
  for (const char* name : {"a.toml", "a.json"}) {
    const auto c = server::load_server_config(dir.str(name));
    EXPECT_EQ(c.port, 9000);
    EXPECT_EQ(c.max_values, 5000u);
    EXPECT_EQ(c.max_active, 3);
    ASSERT_EQ(c.datasets.size(), 1u);
    EXPECT_EQ(c.datasets[0].source, "/data/sst.zarr");
    EXPECT_EQ(c.datasets[0].license, "CC-BY 4.0");
  }
}

TEST(ServeConfig, BadConfigsNameFileAndKey) {
  TempDir dir("pixeldrill-serve-config");
  auto message = [&](const std::string& text, const char* name = "b.toml") {
    std::ofstream(dir.str(name)) << text;
    try {
      server::load_server_config(dir.str(name));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kBadRequest);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("prot = 1\n").find("unknown key 'prot'"), std::string::npos);
  EXPECT_NE(message("port = \"x\"\n[[dataset]]\nid=\"a\"\nsource=\"b\"\n").find("'port'"),
            std::string::npos);
  EXPECT_NE(message("port = \n").find("b.toml line 1"), std::string::npos);
  EXPECT_NE(message("[[dataset]]\nid=\"a-b\"\nsource=\"x\"\n").find("'a-b'"), std::string::npos);
  EXPECT_NE(message("[[dataset]]\nid=\"a\"\nsource=\"x\"\n[[dataset]]\nid=\"a\"\nsource=\"y\"\n")
                .find("given twice"),
            std::string::npos);
  EXPECT_NE(message("[[dataset]]\nid=\"index\"\nsource=\"x\"\n").find("'index' is reserved"),
            std::string::npos);
  EXPECT_NE(message("{", "c.json").find("c.json"), std::string::npos);
  EXPECT_NE(message("max_active = -2\n[[dataset]]\nid=\"a\"\nsource=\"x\"\n").find("max_active"),
            std::string::npos);
}

TEST(ServeCommand, ServesThenRefreshesOnSighupAndExitsOnSigterm) {
  TempDir dir("pixeldrill-serve-cmd");
  ASSERT_TRUE(make_server_collection(dir.str("c")));
  const auto start = run(pixeldrill() + " serve --dataset sst=" + dir.str("c") + " --port 0 >" +
                         dir.str("out.txt") + " 2>" + dir.str("err.txt") + " & echo $!");
  const pid_t pid = std::stoi(start.out);
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    const std::string out = read_text(dir.str("out.txt"));
    const size_t at = out.find("http://");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      url = out.substr(at, out.find('\n', at) - at);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_FALSE(url.empty()) << read_text(dir.str("err.txt"));
  // The listen backlog (ss: Send-Q of a listening socket) is the system's, not the 5 compiled
  // into cpp-httplib, with which 64 clients connecting at once lost SYNs (1 s retries).
  const std::string port = url.substr(url.rfind(':') + 1, url.size() - url.rfind(':') - 2);
  const auto listening = run("ss -Hlnt 'sport = :" + port + "'");
  std::istringstream fields(listening.out);
  std::string state;
  long recv_q = -1, backlog = -1;
  fields >> state >> recv_q >> backlog;
  EXPECT_GE(backlog, 128) << listening.out;
  const auto api = run("curl -sf '" + url + "api/v1/datasets/sst/drill?point=-40.2,150.3'");
  const auto cli = run(pixeldrill() + " drill " + dir.str("c") + " --point -40.2,150.3");
  EXPECT_EQ(api.out, cli.out);
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  for (int i = 0; i < 100 && read_text(dir.str("err.txt")).find("SIGHUP") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(read_text(dir.str("err.txt")).find("SIGHUP"), std::string::npos);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  // The shell that started it is gone, so poll for the exit.
  bool exited = false;
  for (int i = 0; i < 200 && !exited; ++i) {
    // Gone, or a zombie waiting for a reaper that is not ours.
    const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    exited = ::kill(pid, 0) != 0 || stat.find(") Z ") != std::string::npos;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(exited);
  const std::string err = read_text(dir.str("err.txt"));
  EXPECT_NE(err.find("SIGTERM: finishing in-flight requests"), std::string::npos) << err;
  EXPECT_NE(err.find("\"GET /api/v1/datasets/sst/drill?point=-40.2,150.3\" 200 "),
            std::string::npos)
      << err;
}

TEST(ServeCommand, UsageErrors) {
  // Exit status as main() maps errors (2 for usage once it maps by ErrorKind).
  auto r = run(pixeldrill() + " serve 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("no datasets"), std::string::npos) << r.out;
  r = run(pixeldrill() + " serve --dataset nosource 2>&1");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("--dataset 'nosource': expected ID=SOURCE"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pixeldrill::testing

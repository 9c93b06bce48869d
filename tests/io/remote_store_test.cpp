// A Zarr store read where it lives: the same store drilled from a local
// folder, from S3 (moto_server) and over HTTP (nginx, through a proxy that
// injects faults) gives the same CSV; a chunk the store never wrote reads as
// fill remotely as it does locally.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "../drill/drill_test_util.h"
#include "../index/index_test_util.h"
#include "../support/servers.h"
#include "io/s3.h"
#include "remote_test_env.h"

namespace pixeldrill {
namespace {

namespace fs = std::filesystem;
using testing::run;

class RemoteStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("pixeldrill-remote-store");
    const std::string collection = testing::make_mixed_collection(*dir_);
    store_ = new std::string(*dir_ / "www/sst.zarr");
    const auto r = run(testing::pixeldrill() + " convert " + collection + " -o " + *store_ +
                       " --chunks 4,32,32 -q 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }
  static std::string drill(const std::string& source, const std::string& query,
                           const std::string& flags = "") {
    const auto r = run(testing::pixeldrill() + " drill " + source + " " + query + flags + " 2>&1");
    EXPECT_EQ(r.status, 0) << source << " " << query << "\n" << r.out;
    return r.out;
  }
  // Every object of the local store, uploaded under s3://BUCKET/sst.zarr/.
  static void upload(const std::string& bucket) {
    io::s3_put({bucket, ""}, "", {"x-amz-acl: public-read"});
    for (const auto& e : fs::recursive_directory_iterator(*store_)) {
      if (!e.is_regular_file()) continue;
      const std::string key = "sst.zarr/" + fs::relative(e.path(), *store_).string();
      io::s3_put({bucket, key}, testing::read_text(e.path().string()), {"x-amz-acl: public-read"});
    }
  }

  static testing::TempDir* dir_;
  static std::string* store_;
  testing::RemoteOptionsScope opts_;
};
testing::TempDir* RemoteStore::dir_ = nullptr;
std::string* RemoteStore::store_ = nullptr;

const char* kQueries[] = {
    "--point -40,100 --vars sea_surface_temperature,quality_level",
    "--box -33,-31,114,116 --reduce mean",
    "--point -10,90 --from 2016-01-01 --to 2020-01-01",
};

TEST_F(RemoteStore, S3StoreAnswersLikeTheLocalStore) {
  testing::MotoServer moto;
  opts_->endpoint_url = moto.endpoint();
  opts_->no_sign_request = true;
  upload("zarr");
  const std::string flags = " --endpoint-url " + moto.endpoint() + " --no-sign-request";
  for (const char* q : kQueries) {
    SCOPED_TRACE(q);
    const std::string local = drill(*store_, q);
    EXPECT_NE(local.find("sea_surface_temperature"), std::string::npos) << local;
    EXPECT_TRUE(std::regex_search(local, std::regex(R"(,[23]\d\d\.\d+,)")))
        << "no valid SST (kelvin) to compare:\n"
        << local;
    EXPECT_EQ(drill("s3://zarr/sst.zarr", q, flags), local);
    EXPECT_EQ(drill("s3://zarr/sst.zarr/", q, flags), local);  // a trailing slash is the same store
  }
  // A chunk the store never wrote (or that was removed) is fill on both sides.
  const std::string key = "sea_surface_temperature/0.0.0";
  io::s3_delete({"zarr", "sst.zarr/" + key});
  fs::path copy = *dir_ / "copy.zarr";
  fs::copy(*store_, copy, fs::copy_options::recursive);
  fs::remove(copy / key);
  EXPECT_EQ(drill("s3://zarr/sst.zarr", kQueries[1], flags), drill(copy.string(), kQueries[1]));
}

TEST_F(RemoteStore, HttpStoreThroughFaultsAnswersLikeTheLocalStore) {
  testing::NginxServer nginx(*dir_ / "www");
  testing::FaultProxy proxy(nginx.http_url(), "pass", 0);
  const std::string env = "PIXELDRILL_BACKOFF=0.01 PIXELDRILL_STALL=1 ";
  for (const std::string mode : {"pass", "status:503", "reset", "short"}) {
    SCOPED_TRACE(mode);
    proxy.set(mode, 3);
    for (const char* q : kQueries) {
      SCOPED_TRACE(q);
      const auto r =
          run(env + testing::pixeldrill() + " drill " + proxy.url() + "/sst.zarr " + q + " 2>&1");
      EXPECT_EQ(r.status, 0) << r.out;
      EXPECT_EQ(r.out, drill(*store_, q));
    }
  }
  // A server that refuses the data (not "absent") is an error naming the URL.
  proxy.set("status:403", 1000);
  const auto r = run(env + testing::pixeldrill() + " drill " + proxy.url() + "/sst.zarr " +
                     kQueries[0] + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(proxy.url()), std::string::npos) << r.out;
  proxy.set("pass", 0);
}

// Remote chunks are opened with the size the store's manifest recorded (no
// HEAD request): a chunk removed from the server, or replaced by other bytes,
// is still named as damaged, as it is locally, never read as fill or values.
TEST_F(RemoteStore, AChunkMissingOrAlteredOnTheServerIsNamed) {
  testing::TempDir www;
  const std::string copy = www / "sst.zarr";
  fs::copy(*store_, copy, fs::copy_options::recursive);
  testing::NginxServer nginx(www.str(""));
  const std::string url = nginx.http_url() + "/sst.zarr";
  const char* q = kQueries[0];
  ASSERT_EQ(drill(url, q), drill(*store_, q));
  // The chunk file holding the point's first time block, found from the local drill's reads.
  std::string victim;
  for (const auto& e : fs::directory_iterator(fs::path(copy) / "sea_surface_temperature")) {
    const std::string name = e.path().filename().string();
    fs::path saved = e.path().string() + ".saved";
    fs::rename(e.path(), saved);
    const auto r = run(testing::pixeldrill() + " drill " + copy + " " + q + " 2>&1");
    fs::rename(saved, e.path());
    if (r.status != 0) {
      victim = e.path().string();
      break;
    }
  }
  ASSERT_FALSE(victim.empty());
  const std::string key = "sea_surface_temperature/" + fs::path(victim).filename().string();
  fs::rename(victim, victim + ".saved");
  auto r = run(testing::pixeldrill() + " drill " + url + " " + q + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(url + "/" + key), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chunk file is missing"), std::string::npos) << r.out;
  fs::rename(victim + ".saved", victim);
  // Same size, one byte different.
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    const char c = static_cast<char>(f.get());
    f.seekp(40);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  r = run(testing::pixeldrill() + " drill " + url + " " + q + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(url + "/" + key), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CRC-32C"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pixeldrill

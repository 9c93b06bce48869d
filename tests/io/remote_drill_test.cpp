// index, drill and convert over remote collections, end to end through the
// CLI: a synthetic collection uploaded to moto_server (S3) and served by nginx
// (HTTP, @urls.txt), answers compared with the local drill (and the local
// convert) of the same files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../drill/drill_test_util.h"
#include "../index/index_test_util.h"
#include "../store/store_test_util.h"
#include "../support/servers.h"
#include "index/collection_index.h"
#include "io/registry.h"
#include "io/s3.h"
#include "remote_test_env.h"

namespace pixeldrill {
namespace {

namespace fs = std::filesystem;
using testing::run;

// An ocean pixel (-31.5, 112.5) at --decimate 50, with values on most days.
const char* kPoint = "--point -32,112 --var sea_surface_temperature,quality_level";
const char* kBox = "--box -33,-31,114,116 --reduce mean";

class RemoteDrill : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("pixeldrill-remote");
    collection_ = new std::string(testing::make_mixed_collection(*dir_));
    for (const auto& e : fs::recursive_directory_iterator(*collection_)) {
      if (e.is_regular_file()) files_.push_back(fs::relative(e.path(), *collection_).string());
    }
    std::sort(files_.begin(), files_.end());
  }
  static void TearDownTestSuite() {
    delete collection_;
    delete dir_;
  }
  // The store `convert` makes of the local files (made once).
  static const std::string& local_store() {
    static const std::string store = [] {
      const std::string out = *dir_ / "local.zarr";
      EXPECT_EQ(
          run(testing::pixeldrill() + " convert " + *collection_ + " -o " + out + " -q").status, 0);
      return out;
    }();
    return store;
  }
  // Every chunk and array attribute of a converted store equals the local
  // convert's; only the store's own provenance (.zattrs, .zmetadata, journal)
  // names a different source.
  static void expect_same_store(const std::string& store) {
    auto a = store_test::snapshot(local_store()), b = store_test::snapshot(store);
    for (auto* files : {&a, &b}) {
      std::erase_if(*files, [](const auto& f) {
        return f.first == ".zattrs" || f.first == ".zmetadata" ||
               f.first.starts_with(".pixeldrill");
      });
    }
    ASSERT_GT(a.size(), 10u);
    EXPECT_EQ(a.size(), b.size()) << store;
    for (const auto& [path, bytes] : a) {
      const auto it = b.find(path);
      ASSERT_NE(it, b.end()) << store << ": no " << path;
      EXPECT_TRUE(it->second == bytes) << store << ": " << path << " differs";
    }
    for (const char* q : {kPoint, kBox}) {
      EXPECT_EQ(run(testing::pixeldrill() + " drill " + store + " " + q).out,
                run(testing::pixeldrill() + " drill " + local_store() + " " + q).out)
          << q;
    }
  }
  static std::string local_drill(const std::string& query) {
    const auto r = run(testing::pixeldrill() + " drill " + *collection_ + " " + query);
    EXPECT_EQ(r.status, 0);
    return r.out;
  }
  // The collection under s3://BUCKET/ghrsst/: its first `count` files (all by default).
  void upload(const std::string& endpoint, const std::string& bucket,
              size_t count = std::string::npos) {
    opts_->endpoint_url = endpoint;
    opts_->no_sign_request = true;
    io::s3_put({bucket, ""}, "", {"x-amz-acl: public-read"});
    for (size_t i = 0; i < std::min(count, files_.size()); ++i) put(bucket, files_[i]);
  }
  void put(const std::string& bucket, const std::string& file) {
    io::s3_put({bucket, "ghrsst/" + file}, testing::read_text(*collection_ + "/" + file),
               {"x-amz-acl: public-read"});
  }

  static testing::TempDir* dir_;
  static std::string* collection_;
  static std::vector<std::string> files_;
  testing::RemoteOptionsScope opts_;
};
testing::TempDir* RemoteDrill::dir_ = nullptr;
std::string* RemoteDrill::collection_ = nullptr;
std::vector<std::string> RemoteDrill::files_;

TEST_F(RemoteDrill, S3IndexAndDrillMatchLocal) {
  testing::MotoServer moto;
  upload(moto.endpoint(), "sst");
  testing::TempDir work;
  const std::string flags = " --endpoint-url " + moto.endpoint() + " --no-sign-request";
  const std::string index = work / "s3.pdx";
  auto r = run(testing::pixeldrill() + " index s3://sst/ghrsst/ -o " + index + flags + " 2>" +
               (work / "err"));
  ASSERT_EQ(r.status, 0) << testing::read_text(work / "err");
  const std::string err = testing::read_text(work / "err");
  EXPECT_NE(err.find("indexed " + std::to_string(files_.size()) + " files"), std::string::npos)
      << err;
  EXPECT_NE(err.find("remote: "), std::string::npos) << err;

  for (const char* q : {kPoint, kBox}) {
    r = run(testing::pixeldrill() + " drill " + index + " " + q + flags);
    EXPECT_EQ(r.status, 0) << q;
    EXPECT_EQ(r.out, local_drill(q)) << q;
  }
  // A glob over the listing takes only the matching keys.
  r = run(testing::pixeldrill() + " index 's3://sst/ghrsst/2016/*.nc' -o " + (work / "g.pdx") +
          flags + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("indexed 2 files"), std::string::npos) << r.out;

  // An object replaced after indexing is skipped and named; the rest answers.
  const std::string changed = files_[3];
  io::s3_put({"sst", "ghrsst/" + changed}, testing::read_text(*collection_ + "/" + files_[0]),
             {"x-amz-acl: public-read"});
  r = run(testing::pixeldrill() + " drill " + index + " " + kPoint + flags + " 2>" +
          (work / "err2"));
  EXPECT_EQ(r.status, 3);
  const std::string err2 = testing::read_text(work / "err2");
  EXPECT_NE(err2.find("s3://sst/ghrsst/" + changed), std::string::npos) << err2;
  EXPECT_NE(err2.find("changed"), std::string::npos) << err2;
}

// The index keeps each object's ETag (S3: the MD5 of its bytes): a drill
// whose object no longer has the indexed ETag (a same-size rewrite within the
// second Last-Modified resolves looks like this) skips it and says why.
TEST_F(RemoteDrill, AnObjectWhoseETagDiffersFromTheIndexIsSkippedAndNamed) {
  testing::MotoServer moto;
  upload(moto.endpoint(), "sst");
  testing::TempDir work;
  const std::string flags = " --endpoint-url " + moto.endpoint() + " --no-sign-request";
  const std::string pdx = work / "s3.pdx";
  ASSERT_EQ(run(testing::pixeldrill() + " index s3://sst/ghrsst/ -o " + pdx + flags).status, 0);
  auto built = pixeldrill::index::read_index(pdx);
  ASSERT_EQ(built.files.size(), files_.size());
  for (const auto& f : built.files) {
    EXPECT_EQ(f.etag.size(), 34u) << f.path;  // "MD5 in hex", quotes included
  }
  auto r = run(testing::pixeldrill() + " drill " + pdx + " " + kPoint + flags);
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, local_drill(kPoint));
  // Size and Last-Modified as indexed, the ETag not.
  built.files[3].etag = "\"00000000000000000000000000000000\"";
  pixeldrill::index::write_index(built, pdx);
  r = run(testing::pixeldrill() + " drill " + pdx + " " + kPoint + flags + " 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find(built.files[3].path), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ETag"), std::string::npos) << r.out;
  // Re-indexing reads that object again (its ETag differs) and only it.
  r = run(testing::pixeldrill() + " index s3://sst/ghrsst/ -o " + pdx + flags + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(1 read, " + std::to_string(files_.size() - 1) + " unchanged"),
            std::string::npos)
      << r.out;
}

TEST_F(RemoteDrill, HttpUrlListThroughFaultsMatchesLocal) {
  testing::NginxServer nginx(*collection_);
  testing::TempDir work;
  const std::string env = "PIXELDRILL_BACKOFF=0.01 PIXELDRILL_STALL=1 ";
  auto url_list = [&](const std::string& base) {
    const std::string path = work / "urls.txt";
    std::ofstream out(path);
    for (const auto& f : files_) out << base << "/" << f << "\n";
    return "@" + path;
  };
  testing::FaultProxy proxy(nginx.http_url(), "reset", 3);
  const std::string index = work / "h.pdx";
  auto r = run(env + testing::pixeldrill() + " index " + url_list(proxy.url()) + " -o " + index +
               " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const std::string mode : {"status:503", "status:429", "short", "badrange", "stall"}) {
    SCOPED_TRACE(mode);
    proxy.set(mode, 4);
    r = run(env + testing::pixeldrill() + " drill " + index + " " + kPoint);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, local_drill(kPoint));
  }
  // xarray + fsspec over HTTP (aiohttp) on pixeldrill's refs of the remote
  // index reads the same values as on refs of a local index of the files.
  // (One layout group: the 2020 files.)
  proxy.set("pass", 0);
  {
    std::ofstream out(work / "urls2020.txt");
    for (const auto& f : files_) {
      if (f.rfind("2020/", 0) == 0) out << proxy.url() << "/" << f << "\n";
    }
  }
  ASSERT_EQ(run(testing::pixeldrill() + " index @" + (work / "urls2020.txt") + " -o " +
                (work / "h2020.pdx") + " 2>&1 && " + testing::pixeldrill() + " refs " +
                (work / "h2020.pdx") + " -o " + (work / "http.json") + " --combined 2>&1")
                .status,
            0);
  ASSERT_EQ(run(testing::pixeldrill() + " index '" + *collection_ + "/2020/*.nc' -o " +
                (work / "l.pdx") + " 2>&1 && " + testing::pixeldrill() + " refs " +
                (work / "l.pdx") + " -o " + (work / "local.json") + " --combined 2>&1")
                .status,
            0);
  auto xarray_read = [&](const std::string& refs, const std::string& protocol) {
    const std::string q = work / ("q-" + protocol + ".json");
    std::ofstream(q) << "[{\"refs\": \"" << refs << "\", \"lat\": -32, \"lon\": 115, "
                     << "\"var\": \"sea_surface_temperature\", \"protocol\": \"" << protocol
                     << "\"}]";
    return run(testing::python() + " " + testing::python_script("index_kerchunk_read.py") + " " +
               q);
  };
  const auto over_http = xarray_read(work / "http.json", "http");
  const auto on_disk = xarray_read(work / "local.json", "file");
  EXPECT_EQ(over_http.status, 0);
  EXPECT_EQ(testing::lines(on_disk.out).size(), 3u);  // pixel + 2 days
  EXPECT_EQ(over_http.out, on_disk.out);

  // A server failing for good: the files are skipped, named with the status.
  proxy.set("status:503", -1);
  r = run("PIXELDRILL_RETRIES=2 " + env + testing::pixeldrill() + " drill " + index + " " + kPoint +
          " 2>" + (work / "err"));
  const std::string err = testing::read_text(work / "err");
  EXPECT_NE(r.status, 0) << err;
  EXPECT_NE(err.find("status 503"), std::string::npos) << err;
  EXPECT_NE(err.find(proxy.url()), std::string::npos) << err;
}

// A remote point drill fetches each file's chunks for all its variables
// before inflating (DecodeSlots) and reads nothing twice: one request per
// variable and file.
TEST_F(RemoteDrill, AnIndexDrillSendsOneRequestPerChunkItReads) {
  testing::NginxServer nginx(*collection_);
  testing::TempDir work;
  {
    std::ofstream out(work / "urls.txt");
    for (const auto& f : files_) out << nginx.http_url() << "/" << f << "\n";
  }
  const std::string index = work / "n.pdx";
  ASSERT_EQ(run(testing::pixeldrill() + " index @" + (work / "urls.txt") + " -o " + index + " 2>&1")
                .status,
            0);
  const auto r = run("PIXELDRILL_STATS=1 " + testing::pixeldrill() + " drill " + index + " " +
                     kPoint + " 2>" + (work / "err"));
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, local_drill(kPoint));
  const std::string err = testing::read_text(work / "err");
  const std::string two_per_file =
      "remote: " + std::to_string(2 * files_.size()) + " requests (0 retried)";
  EXPECT_NE(err.find(two_per_file), std::string::npos) << err;
  // A budget of one chunk ahead: the other variable is read while decoding,
  // still once, and the values (point and box) do not change.
  for (const char* q : {kPoint, kBox}) {
    const auto small =
        run("PIXELDRILL_STATS=1 PIXELDRILL_FETCH_AHEAD_BYTES=1 " + testing::pixeldrill() +
            " drill " + index + " " + q + " 2>" + (work / "err1"));
    ASSERT_EQ(small.status, 0) << q;
    EXPECT_EQ(small.out, local_drill(q)) << q;
  }
  ASSERT_EQ(run("PIXELDRILL_STATS=1 PIXELDRILL_FETCH_AHEAD_BYTES=1 " + testing::pixeldrill() +
                " drill " + index + " " + kPoint + " 2>" + (work / "err1"))
                .status,
            0);
  EXPECT_NE(testing::read_text(work / "err1").find(two_per_file), std::string::npos);
  const auto bad = run("PIXELDRILL_FETCH_AHEAD_BYTES=lots " + testing::pixeldrill() + " drill " +
                       index + " " + kPoint + " 2>&1");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("PIXELDRILL_FETCH_AHEAD_BYTES=lots"), std::string::npos) << bad.out;
}

// convert reads a remote collection through its chunk index (made in memory
// when given the collection itself): no file is downloaded, and the store is
// the one the local convert makes, chunk for chunk.
TEST_F(RemoteDrill, ConvertOfAnS3CollectionOrItsIndexWritesTheLocalStore) {
  testing::MotoServer moto;
  upload(moto.endpoint(), "sst");
  testing::TempDir work;
  const std::string flags = " --endpoint-url " + moto.endpoint() + " --no-sign-request";
  auto r = run(testing::pixeldrill() + " convert s3://sst/ghrsst/ -o " + (work / "s3.zarr") +
               flags + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("remote: "), std::string::npos) << r.out;
  expect_same_store(work / "s3.zarr");

  const std::string pdx = work / "s3.pdx";
  ASSERT_EQ(run(testing::pixeldrill() + " index s3://sst/ghrsst/ -o " + pdx + flags).status, 0);
  r = run(testing::pixeldrill() + " convert " + pdx + " -o " + (work / "pdx.zarr") + flags +
          " -q 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  expect_same_store(work / "pdx.zarr");
  r = run(testing::pixeldrill() + " convert " + pdx + " -o " + (work / "n.zarr") + flags +
          " --reader netcdf 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--reader netcdf"), std::string::npos) << r.out;

  // An object replaced after indexing: its day is not stored, and named.
  io::s3_put({"sst", "ghrsst/" + files_[3]}, testing::read_text(*collection_ + "/" + files_[0]),
             {"x-amz-acl: public-read"});
  r = run(testing::pixeldrill() + " convert " + pdx + " -o " + (work / "changed.zarr") + flags +
          " -q 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("s3://sst/ghrsst/" + files_[3]), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("changed since it was"), std::string::npos) << r.out;
  r = run(testing::pixeldrill() + " drill " + (work / "changed.zarr") + " " + kPoint + " 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("s3://sst/ghrsst/" + files_[3]), std::string::npos) << r.out;
}

// New days in the bucket go into the store with --append, as for a folder.
TEST_F(RemoteDrill, ConvertAppendTakesTheNewDaysOfAnS3Collection) {
  testing::MotoServer moto;
  upload(moto.endpoint(), "sst", files_.size() - 1);
  testing::TempDir work;
  const std::string convert = testing::pixeldrill() + " convert s3://sst/ghrsst/ -o " +
                              (work / "s3.zarr") + " --endpoint-url " + moto.endpoint() +
                              " --no-sign-request -q 2>&1";
  auto r = run(convert);
  ASSERT_EQ(r.status, 0) << r.out;
  put("sst", files_.back());
  r = run(convert);
  EXPECT_EQ(r.status, 2) << r.out;  // complete: new days need --append
  EXPECT_NE(r.out.find("--append"), std::string::npos) << r.out;
  r = run(convert + " --append");
  ASSERT_EQ(r.status, 0) << r.out;
  expect_same_store(work / "s3.zarr");
}

TEST_F(RemoteDrill, ConvertOverHttpThroughFaultsWritesTheLocalStore) {
  testing::NginxServer nginx(*collection_);
  testing::TempDir work;
  const std::string env = "PIXELDRILL_BACKOFF=0.01 PIXELDRILL_STALL=1 ";
  testing::FaultProxy proxy(nginx.http_url(), "reset", 3);
  {
    std::ofstream out(work / "urls.txt");
    for (const auto& f : files_) out << proxy.url() << "/" << f << "\n";
  }
  const std::string urls = "@" + (work / "urls.txt");
  auto r = run(env + testing::pixeldrill() + " convert " + urls + " -o " + (work / "h.zarr") +
               " -q 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  expect_same_store(work / "h.zarr");
  proxy.set("pass", 0);
  const std::string pdx = work / "h.pdx";
  ASSERT_EQ(run(env + testing::pixeldrill() + " index " + urls + " -o " + pdx).status, 0);
  for (const std::string mode : {"short", "badrange", "status:503"}) {
    SCOPED_TRACE(mode);
    proxy.set(mode, 4);
    const std::string store = work / ("h-" + mode.substr(0, 5) + ".zarr");
    r = run(env + testing::pixeldrill() + " convert " + pdx + " -o " + store + " -q 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    expect_same_store(store);
  }
  // A server failing for good: every day is skipped and named with the
  // status; the store holds no value it did not read.
  proxy.set("status:503", -1);
  r = run("PIXELDRILL_RETRIES=2 " + env + testing::pixeldrill() + " convert " + pdx + " -o " +
          (work / "down.zarr") + " -q 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("status 503"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(proxy.url()), std::string::npos) << r.out;
  r = run(testing::pixeldrill() + " drill " + (work / "down.zarr") + " " + kPoint + " 2>&1");
  EXPECT_EQ(r.status, 3) << r.out;
}

}  // namespace
}  // namespace pixeldrill

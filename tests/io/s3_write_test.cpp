// Writing to S3 (moto_server): signed and anonymous PUTs, `index`, `refs` and
// `convert` with -o s3://..., drilled back and compared with the same
// commands writing locally; a conversion killed mid-upload and rerun gives
// the same objects; xarray opens the store over HTTP from moto.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "../drill/drill_test_util.h"
#include "../index/index_test_util.h"
#include "../support/servers.h"
#include "core/error.h"
#include "io/registry.h"
#include "io/s3.h"
#include "remote_test_env.h"

namespace pixeldrill {
namespace {

namespace fs = std::filesystem;
using testing::EnvScope;
using testing::RemoteOptionsScope;
using testing::run;

std::string pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + i / 977) & 0xff);
  return s;
}

std::string as_text(const std::optional<std::vector<std::byte>>& bytes) {
  if (!bytes) return "<absent>";
  return {reinterpret_cast<const char*>(bytes->data()), bytes->size()};
}

// The conversion's time stamps (date_created, history) blanked out.
std::string without_dates(const std::string& key, std::string text) {
  if (!key.ends_with(".zattrs") && !key.ends_with(".zmetadata")) return text;
  static const std::regex stamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  return std::regex_replace(text, stamp, "TIME");
}

// Every object under s3://BUCKET/PREFIX/ by key relative to the prefix.
std::map<std::string, std::string> objects_under(const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (const auto& o : io::list_objects(prefix + "/")) {
    const std::string key = o.uri.substr(prefix.size() + 1);
    out[key] = without_dates(key, as_text(io::read_object(o.uri)));
  }
  return out;
}

// Keys missing on either side or holding other bytes ("" when the same).
std::string differences(const std::map<std::string, std::string>& got,
                        const std::map<std::string, std::string>& want) {
  std::string out;
  for (const auto& [key, bytes] : want) {
    const auto it = got.find(key);
    if (it == got.end())
      out += "missing " + key + "\n";
    else if (it->second != bytes)
      out += "differs " + key + "\n";
  }
  for (const auto& [key, bytes] : got) {
    if (!want.count(key)) out += "unexpected " + key + "\n";
  }
  return out;
}

// Every file of a local store by relative path, the lock and scratch left out.
std::map<std::string, std::string> files_under(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const std::string key = fs::relative(e.path(), root).string();
    if (key == ".pixeldrill/lock" || key.starts_with(".pixeldrill/tmp")) continue;
    out[key] = without_dates(key, testing::read_text(e.path().string()));
  }
  return out;
}

TEST(S3Write, SignedPutAcceptedByVerifyingServerAndWrongKeysRefused) {
  testing::MotoServer moto(true);
  RemoteOptionsScope opts;
  opts->endpoint_url = moto.endpoint();
  opts->no_sign_request = false;
  EnvScope id("AWS_ACCESS_KEY_ID", moto.access_key());
  EnvScope secret("AWS_SECRET_ACCESS_KEY", moto.secret_key());
  io::s3_put({"wbkt", ""}, "");  // the bucket, signed
  // Over 1 MiB: libcurl adds Expect: 100-continue, which must stay unsigned.
  const std::string big = pattern(3'000'000, 1), small = pattern(1000, 2);
  io::write_object("s3://wbkt/a/big.bin", big);
  io::write_object("s3://wbkt/a/small.bin", small);
  std::vector<io::ObjectUpload> many;
  for (int i = 0; i < 20; ++i) many.push_back({"s3://wbkt/m/" + std::to_string(i), pattern(70, i)});
  io::write_objects(many);
  EXPECT_EQ(io::list_objects("s3://wbkt/m/").size(), 20u);
  // Read back by boto3 (the image's python3), not by pixeldrill.
  testing::TempDir tmp;
  const std::string get =
      "env -u PYTHONPATH python3 -c \"import boto3; s3 = boto3.client('s3', endpoint_url='" +
      moto.endpoint() + "', region_name='us-east-1'); s3.download_file('wbkt', 'a/big.bin', '" +
      (tmp / "big") + "'); s3.download_file('wbkt', 'm/7', '" + (tmp / "m7") + "')\"";
  ASSERT_EQ(std::system(get.c_str()), 0);
  EXPECT_EQ(testing::read_text(tmp / "big"), big);
  EXPECT_EQ(testing::read_text(tmp / "m7"), pattern(70, 7));
  EXPECT_EQ(as_text(io::read_object("s3://wbkt/a/small.bin")), small);
  {
    EnvScope wrong("AWS_SECRET_ACCESS_KEY", "wrong-secret-value");
    try {
      io::write_object("s3://wbkt/a/forged.bin", small);
      FAIL() << "a PUT with a wrong signature was accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("status 403"), std::string::npos) << what;
      EXPECT_NE(what.find("/wbkt/a/forged.bin"), std::string::npos) << what;
      EXPECT_EQ(what.find("wrong-secret-value"), std::string::npos) << what;
    }
  }
  opts->no_sign_request = true;  // anonymous: refused by a server checking signatures
  EXPECT_THROW(io::write_object("s3://wbkt/a/anonymous.bin", small), Error);
  opts->no_sign_request = false;
  EXPECT_FALSE(io::object_exists("s3://wbkt/a/forged.bin"));
  EXPECT_FALSE(io::object_exists("s3://wbkt/a/anonymous.bin"));
}

TEST(S3Write, AnonymousPutToAnOpenBucket) {
  testing::MotoServer moto;  // accepts unsigned requests
  RemoteOptionsScope opts;
  opts->endpoint_url = moto.endpoint();
  opts->no_sign_request = true;
  // A bucket anyone may write and read (moto applies the canned ACL).
  io::s3_put({"open", ""}, "", {"x-amz-acl: public-read-write"});
  const std::string body = pattern(200'000, 3);
  io::write_object("s3://open/x/y.bin", body);
  EXPECT_EQ(as_text(io::read_object("s3://open/x/y.bin")), body);
  io::remove_object("s3://open/x/y.bin");
  EXPECT_FALSE(io::object_exists("s3://open/x/y.bin"));
}

class S3WriteCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("pixeldrill-s3write");
    collection_ = new std::string(testing::make_mixed_collection(*dir_));
  }
  static void TearDownTestSuite() {
    delete collection_;
    delete dir_;
  }
  void SetUp() override {
    opts_->endpoint_url = moto_.endpoint();
    opts_->no_sign_request = false;
    io::s3_put({"out", ""}, "");
  }
  // pixeldrill signing with moto's IAM keys (passed in the environment).
  std::string pd(const std::string& args) const {
    return "AWS_ACCESS_KEY_ID=" + moto_.access_key() +
           " AWS_SECRET_ACCESS_KEY=" + moto_.secret_key() +
           " AWS_NO_SIGN_REQUEST= XDG_CACHE_HOME=" + (*dir_ / "cache") + " " +
           testing::pixeldrill() + " " + args + " --endpoint-url " + moto_.endpoint();
  }
  std::string drill(const std::string& source, const std::string& query) const {
    const auto r = run(pd("drill " + source + " " + query + " --precision full") + " 2>&1");
    EXPECT_EQ(r.status, 0) << source << " " << query << "\n" << r.out;
    return r.out;
  }

  static testing::TempDir* dir_;
  static std::string* collection_;
  testing::MotoServer moto_{true};
  RemoteOptionsScope opts_;
  EnvScope id_{"AWS_ACCESS_KEY_ID", moto_.access_key()};
  EnvScope secret_{"AWS_SECRET_ACCESS_KEY", moto_.secret_key()};
};
testing::TempDir* S3WriteCli::dir_ = nullptr;
std::string* S3WriteCli::collection_ = nullptr;

const char* kQueries[] = {
    "--point -40,100 --vars sea_surface_temperature,quality_level",
    "--box -33,-31,114,116 --reduce mean",
    "--point -10,90 --from 2016-01-01 --to 2020-01-01",
};

TEST_F(S3WriteCli, IndexAndRefsWrittenToS3MatchLocalOnes) {
  const std::string local = *dir_ / "local.pdx";
  ASSERT_EQ(run(pd("index " + *collection_ + " -o " + local) + " 2>&1").status, 0);
  auto r = run(pd("index " + *collection_ + " -o s3://out/idx/sst.pdx") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 of them PUTs"), std::string::npos) << r.out;
  EXPECT_EQ(as_text(io::read_object("s3://out/idx/sst.pdx")), testing::read_text(local));
  for (const char* q : kQueries) {
    SCOPED_TRACE(q);
    const std::string want = drill(local, q);
    EXPECT_TRUE(std::regex_search(want, std::regex(R"(,[23]\d\d\.\d+)"))) << want;
    EXPECT_EQ(drill("s3://out/idx/sst.pdx", q), want);
  }
  // Rerun: the index on S3 is read and updated in place (nothing changed).
  r = run(pd("index " + *collection_ + " -o s3://out/idx/sst.pdx") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("0 read"), std::string::npos) << r.out;

  // Three layout groups: OUT lists a-g0.json .. a-g2.json beside it.
  fs::create_directories(*dir_ / "refs");
  const std::string local_refs = *dir_ / "refs/a.json";
  ASSERT_EQ(run(pd("refs " + local + " --combined -o " + local_refs) + " 2>&1").status, 0);
  r = run(pd("refs " + *collection_ + " --combined -o s3://out/refs/a.json") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  r = run(pd("refs s3://out/idx/sst.pdx --combined -o s3://out/refs2/a.json") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const std::string name : {"a.json", "a-g0.json", "a-g1.json", "a-g2.json"}) {
    SCOPED_TRACE(name);
    const std::string want = testing::read_text(*dir_ / ("refs/" + name));
    EXPECT_NE(want.find("refs"), std::string::npos);
    EXPECT_EQ(as_text(io::read_object("s3://out/refs/" + name)), want);
    EXPECT_EQ(as_text(io::read_object("s3://out/refs2/" + name)), want);
  }
  r = run(pd("refs " + local + " --relative -o s3://out/refs/c.json") + " 2>&1");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--prefix"), std::string::npos) << r.out;
}

TEST_F(S3WriteCli, ConvertToS3GivesTheLocalStoreObjectForObject) {
  const std::string flags = " --chunks 4,32,32 -q";
  const std::string local = *dir_ / "local.zarr";
  auto r = run(pd("convert " + *collection_ + " -o " + local + flags) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string work = *dir_ / "work";
  r = run(pd("convert " + *collection_ + " -o s3://out/sst.zarr --work-dir " + work +
             " --chunks 4,32,32") +
          " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("chunk objects uploaded"), std::string::npos) << r.out;
  const auto want = files_under(local);
  EXPECT_EQ(differences(objects_under("s3://out/sst.zarr"), want), "");
  for (const char* q : kQueries) {
    SCOPED_TRACE(q);
    EXPECT_EQ(drill("s3://out/sst.zarr", q), drill(local, q));
  }
  // Rerun: up to date, nothing uploaded again.
  r = run(pd("convert " + *collection_ + " -o s3://out/sst.zarr --work-dir " + work + flags) +
          " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  // Killed after 3 chunk uploads, and killed while staging: a rerun completes
  // with the same objects as the uninterrupted conversion.
  int n = 0;
  for (const std::string crash :
       {"PIXELDRILL_TEST_CRASH_AFTER_UPLOADS=3", "PIXELDRILL_TEST_CRASH_AFTER_CHUNKS=5"}) {
    SCOPED_TRACE(crash);
    const std::string out = "s3://out/crash" + std::to_string(++n) + ".zarr";
    r = run(crash + " " + pd("convert " + *collection_ + " -o " + out + " --requests 2" + flags) +
            " 2>&1");
    EXPECT_EQ(r.status, 137) << r.out;
    const auto partial = objects_under(out);
    EXPECT_FALSE(partial.empty());
    EXPECT_NE(differences(partial, want), "");
    r = run(pd("convert " + *collection_ + " -o " + out + flags) + " 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(differences(objects_under(out), want), "");
  }
  // Someone else's prefix is not written into.
  io::write_object("s3://out/other/data.txt", std::string("x"));
  r = run(pd("convert " + *collection_ + " -o s3://out/other" + flags) + " 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("not a pixeldrill store"), std::string::npos) << r.out;
}

TEST_F(S3WriteCli, AppendRewritesThePartialTimeChunkAsLocally) {
  // Three days fill 3 of the 4 steps of time chunk 0; the append rewrites
  // that chunk row (its .pending manifest first) and adds chunk row 1.
  const std::string c = *dir_ / "grow";
  auto synth = [&](const std::string& range) {
    const auto r = run(testing::pixeldrill() + " synth " + c + " " + range +
                       " --decimate 50 -q --no-gaps 2>&1");
    ASSERT_EQ(r.status, 0) << r.out;
  };
  synth("--from 2016-03-01 --to 2016-03-03");
  const std::string local = *dir_ / "grow.zarr", flags = " --chunks 4,32,32 -q";
  ASSERT_EQ(run(pd("convert " + c + " -o " + local + flags) + " 2>&1").status, 0);
  auto r = run(pd("convert " + c + " -o s3://out/grow.zarr" + flags) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  synth("--from 2016-03-04 --to 2016-03-06");
  ASSERT_EQ(run(pd("convert " + c + " -o " + local + flags + " --append") + " 2>&1").status, 0);
  // Killed after the first uploads of the rewrite, then run again.
  r = run("PIXELDRILL_TEST_CRASH_AFTER_UPLOADS=2 " +
          pd("convert " + c + " -o s3://out/grow.zarr --requests 2 --append" + flags) + " 2>&1");
  EXPECT_EQ(r.status, 137) << r.out;
  r = run(pd("convert " + c + " -o s3://out/grow.zarr --append" + flags) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(differences(objects_under("s3://out/grow.zarr"), files_under(local)), "");
  const std::string q = "--point -40,100 --vars sea_surface_temperature,quality_level";
  const std::string want = drill(local, q);
  EXPECT_EQ(testing::lines(want).size(), 7u) << want;  // header + 6 days
  EXPECT_EQ(drill("s3://out/grow.zarr", q), want);
}

TEST_F(S3WriteCli, XarrayOpensTheS3StoreOverHttpWithTheLocalValues) {
  const std::string local = *dir_ / "x-local.zarr";
  ASSERT_EQ(run(pd("convert " + *collection_ + " -o " + local + " --chunks 4,32,32 -q")).status, 0);
  // moto without signature checks serves the store to anonymous HTTP GETs.
  testing::MotoServer open;
  const std::string env = "AWS_NO_SIGN_REQUEST=YES ";
  auto r = run(env + testing::pixeldrill() + " convert " + *collection_ +
               " -o s3://pub/sst.zarr --chunks 4,32,32 -q --endpoint-url " + open.endpoint() +
               " --work-dir " + (*dir_ / "work-x") + " 2>&1");
  ASSERT_NE(r.status, 0) << "no bucket yet: " << r.out;
  ASSERT_EQ(
      run("curl -sf -X PUT -H 'x-amz-acl: public-read-write' " + open.endpoint() + "/pub").status,
      0);
  r = run(env + testing::pixeldrill() + " convert " + *collection_ +
          " -o s3://pub/sst.zarr --chunks 4,32,32 -q --endpoint-url " + open.endpoint() +
          " --work-dir " + (*dir_ / "work-x") + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string script = *dir_ / "xr.py";
  std::ofstream(script) << "import sys, numpy as np, xarray as xr\n"
                           "a = xr.open_zarr(sys.argv[1])\n"
                           "b = xr.open_zarr(sys.argv[2])\n"
                           "for v in ('sea_surface_temperature', 'quality_level'):\n"
                           "    x, y = a[v].values, b[v].values\n"
                           "    assert x.shape == y.shape and x.size > 0, (v, x.shape, y.shape)\n"
                           "    assert np.array_equal(x, y, equal_nan=True), v\n"
                           "    assert np.isfinite(x).any(), v\n"
                           "assert (a.time.values == b.time.values).all()\n"
                           "print('same', a.sea_surface_temperature.shape)\n";
  r = run(testing::python() + " " + script + " " + open.endpoint() + "/pub/sst.zarr " + local +
          " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("same"), std::string::npos) << r.out;
}

TEST_F(S3WriteCli, ConvertThroughUploadFaultsGivesTheSameObjects) {
  const std::string local = *dir_ / "f-local.zarr";
  ASSERT_EQ(run(pd("convert " + *collection_ + " -o " + local + " --chunks 4,32,32 -q")).status, 0);
  testing::MotoServer open;  // unsigned: the proxy changes the Host header
  testing::FaultProxy proxy(open.endpoint(), "pass", 0);
  ASSERT_EQ(
      run("curl -sf -X PUT -H 'x-amz-acl: public-read-write' " + open.endpoint() + "/flaky").status,
      0);
  auto cmd = [&](const std::string& store) {
    return "AWS_NO_SIGN_REQUEST=YES PIXELDRILL_BACKOFF=0.01 PIXELDRILL_STALL=1 " +
           testing::pixeldrill() + " convert " + *collection_ + " -o s3://flaky/" + store +
           " --chunks 4,32,32 --endpoint-url " + proxy.url() + " --work-dir " +
           (*dir_ / ("work-" + store)) + " 2>&1";
  };
  opts_->endpoint_url = open.endpoint();
  opts_->no_sign_request = true;
  // 503 SlowDown on the first uploads, or the connection reset before the
  // answer (the proxy stores them first, so a retried PUT repeats a written one).
  for (const std::string mode : {"status:503", "drop"}) {
    SCOPED_TRACE(mode);
    proxy.set(mode, 5, "PUT");
    const std::string store = mode.substr(0, 4) + ".zarr";
    const auto r = run(cmd(store));
    ASSERT_EQ(r.status, 0) << r.out;
    std::smatch retried;
    ASSERT_TRUE(std::regex_search(r.out, retried, std::regex(R"(\((\d+) retried\))"))) << r.out;
    // (libcurl itself retries a request a reused connection dropped once.)
    EXPECT_GE(std::stoi(retried[1]), 3) << r.out;
    EXPECT_EQ(differences(objects_under("s3://flaky/" + store), files_under(local)), "");
  }
  // A server failing every request: an error naming the object, exit 1.
  proxy.set("status:500", -1);
  const auto r = run("PIXELDRILL_RETRIES=2 " + cmd("failing.zarr"));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find(proxy.url()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("status 500"), std::string::npos) << r.out;
  proxy.set("pass", 0);
}

}  // namespace
}  // namespace pixeldrill

// io/ over real servers on 127.0.0.1: moto_server (S3, signed and anonymous),
// nginx (HTTP ranges, TLS with a certificate made by the test, a THREDDS
// catalog) and the fault-injecting proxy between them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "../support/servers.h"
#include "../support/temp_dir.h"
#include "core/error.h"
#include "io/http_client.h"
#include "io/registry.h"
#include "io/s3.h"
#include "remote_test_env.h"

namespace pixeldrill {
namespace {

using testing::EnvScope;
using testing::RemoteOptionsScope;

// Bytes that differ at every offset, so a shifted range cannot pass.
std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u + seed;
  for (auto& c : s) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return s;
}

std::string read_all(const io::ByteSource& src, uint64_t offset, size_t n) {
  std::string out(n, '\0');
  src.read(offset, std::as_writable_bytes(std::span<char>(out)));
  return out;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class S3Io : public ::testing::Test {
 protected:
  void SetUp() override {
    opts_->endpoint_url = moto_.endpoint();
    opts_->no_sign_request = true;
    io::s3_put({"bkt", ""}, "", {"x-amz-acl: public-read"});  // create the bucket
    for (int i = 0; i < 5; ++i) {
      io::s3_put({"bkt", "coll/2024/f" + std::to_string(i) + ".nc"}, pattern(300000 + i, i),
                 {"x-amz-acl: public-read"});
    }
    io::s3_put({"bkt", "coll/readme.txt"}, "hello", {"x-amz-acl: public-read"});
    io::s3_put({"bkt", "other/x.nc"}, "x", {"x-amz-acl: public-read"});
  }
  testing::MotoServer moto_;
  RemoteOptionsScope opts_;
};

TEST_F(S3Io, RangesListingAndVersionsAnonymous) {
  const std::string data = pattern(300002, 2);
  auto src = io::open_byte_source("s3://bkt/coll/2024/f2.nc");
  EXPECT_EQ(src->size(), data.size());
  EXPECT_EQ(read_all(*src, 12345, 1000), data.substr(12345, 1000));
  EXPECT_EQ(read_all(*src, data.size() - 7, 7), data.substr(data.size() - 7));
  // Several ranges at once, some near enough to be coalesced.
  std::string a(100, '\0'), b(50, '\0'), c(4000, '\0');
  const io::ReadRequest reads[] = {{200000, std::as_writable_bytes(std::span<char>(c))},
                                   {10, std::as_writable_bytes(std::span<char>(a))},
                                   {500, std::as_writable_bytes(std::span<char>(b))}};
  src->read_many(reads);
  EXPECT_EQ(a, data.substr(10, 100));
  EXPECT_EQ(b, data.substr(500, 50));
  EXPECT_EQ(c, data.substr(200000, 4000));
  EXPECT_THROW(read_all(*src, data.size() - 3, 10), Error);

  // Pages of two keys: continuation tokens followed to the end.
  const auto page = io::s3_list("bkt", "coll/", 2);
  ASSERT_EQ(page.size(), 6u);
  const auto listed = io::list_objects("s3://bkt/coll/");
  ASSERT_EQ(listed.size(), 6u);
  EXPECT_EQ(listed[0].uri, "s3://bkt/coll/2024/f0.nc");
  EXPECT_EQ(listed[0].size, 300000u);
  EXPECT_FALSE(listed[0].etag.empty());
  EXPECT_GT(listed[0].mtime_ns, 0);
  EXPECT_EQ(io::list_objects("s3://bkt/coll/2024/*.nc").size(), 5u);
  EXPECT_EQ(io::list_objects("s3://bkt/coll/2024/f3.nc").size(), 1u);
  EXPECT_EQ(io::list_objects("s3://bkt/coll").size(), 6u);  // a prefix without the slash

  // An object replaced after listing is named as changed, never decoded.
  const io::ObjectInfo before = io::stat_object("s3://bkt/coll/2024/f1.nc");
  EXPECT_EQ(before.etag, listed[1].etag);
  io::s3_put({"bkt", "coll/2024/f1.nc"}, pattern(300001, 99), {"x-amz-acl: public-read"});
  auto stale = io::open_byte_source("s3://bkt/coll/2024/f1.nc", &before);
  try {
    read_all(*stale, 0, 100);
    FAIL() << "a changed object was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kSourceChanged);
    EXPECT_NE(std::string(e.what()).find("s3://bkt/coll/2024/f1.nc"), std::string::npos);
  }
  // The head of an S3 object and its size in one GET.
  auto head = io::open_byte_source_head("s3://bkt/coll/2024/f2.nc", 4096);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size(), data.size());
  EXPECT_EQ(read_all(*head, 10, 4000), data.substr(10, 4000));
  EXPECT_EQ(read_all(*head, 250000, 5000), data.substr(250000, 5000));
  EXPECT_EQ(io::open_byte_source_head("s3://bkt/coll/missing.nc", 4096), nullptr);
  try {
    io::open_byte_source("s3://bkt/coll/missing.nc");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/bkt/coll/missing.nc"), std::string::npos);
  }
}

TEST_F(S3Io, SignedRequestsFromEnvironmentAndProfile) {
  opts_->no_sign_request = false;
  {
    EnvScope id("AWS_ACCESS_KEY_ID", "AKIDTESTONLY");
    EnvScope secret("AWS_SECRET_ACCESS_KEY", "not-a-real-secret");
    EnvScope token("AWS_SESSION_TOKEN", "token-for-test");
    const io::HttpRequest r = io::s3_request({"bkt", "coll/2024/f0.nc"}, "GET");
    EXPECT_EQ(r.aws_sigv4.rfind("aws:amz:", 0), 0u);
    auto src = io::open_byte_source("s3://bkt/coll/2024/f0.nc");
    EXPECT_EQ(read_all(*src, 7, 64), pattern(300000, 0).substr(7, 64));
    EXPECT_EQ(io::list_objects("s3://bkt/coll/2024/").size(), 5u);
  }
  opts_->no_sign_request = true;
  EXPECT_TRUE(io::s3_request({"bkt", "k"}, "GET").aws_sigv4.empty());
}

// nginx serving files, over HTTP and HTTPS, with a THREDDS catalog.
class HttpIo : public ::testing::Test {
 protected:
  HttpIo() {
    write_file(root_ / "data/2024/a.nc", pattern(200000, 1));
    write_file(root_ / "data/2024/b.nc", pattern(150000, 2));
    write_file(root_ / "data/2025/c.nc", pattern(100000, 3));
    write_file(root_ / "thredds/catalog.xml",
               R"(<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0"
         xmlns:xlink="http://www.w3.org/1999/xlink">
  <service name="all" serviceType="Compound" base="">
    <service name="odap" serviceType="OpenDAP" base="/thredds/dodsC/"/>
    <service name="http" serviceType="HTTPServer" base="/data/"/>
  </service>
  <dataset name="2024">
    <dataset name="a.nc" ID="a" urlPath="2024/a.nc"/>
    <dataset name="b.nc" ID="b" urlPath="2024/b.nc"/>
  </dataset>
  <catalogRef xlink:href="2025/catalog.xml" xlink:title="2025" name=""/>
</catalog>)");
    write_file(root_ / "thredds/2025/catalog.xml",
               R"(<catalog xmlns:xlink="http://www.w3.org/1999/xlink">
  <service name="http" serviceType="HTTPServer" base="/data/"/>
  <dataset name="c.nc" urlPath="2025/c.nc"/>
  <catalogRef xlink:href="../catalog.xml" xlink:title="loop back"/>
</catalog>)");
  }
  testing::TempDir root_{"pixeldrill-www"};
  testing::NginxServer nginx_{root_.str()};
  RemoteOptionsScope opts_;
};

// moto verifying signatures: libcurl's SigV4 (with the listing's query and a
// session token header) is accepted, a wrong secret is refused by name.
TEST(S3Signed, LibcurlSigV4AcceptedByVerifyingServer) {
  testing::MotoServer moto(true);
  RemoteOptionsScope opts;
  opts->endpoint_url = moto.endpoint();
  opts->no_sign_request = false;
  EnvScope id("AWS_ACCESS_KEY_ID", moto.access_key());
  EnvScope secret("AWS_SECRET_ACCESS_KEY", moto.secret_key());
  // Filled by boto3 (the image's python3): pixeldrill signs reads only.
  testing::TempDir tmp;
  for (int i = 0; i < 3; ++i) write_file(tmp / ("f" + std::to_string(i)), pattern(5000, i));
  const std::string upload =
      "env -u PYTHONPATH python3 -c \"import boto3; s3 = boto3.client('s3', endpoint_url='" +
      moto.endpoint() +
      "', region_name='us-east-1'); s3.create_bucket(Bucket='signed-bkt'); "
      "[s3.upload_file('" +
      tmp.str() +
      "/f%d' % i, 'signed-bkt', 'pre/fix/f%d.nc' % i) "
      "for i in range(3)]\"";
  ASSERT_EQ(std::system(upload.c_str()), 0);
  EXPECT_EQ(io::s3_list("signed-bkt", "pre/fix/", 1).size(), 3u);  // continuation tokens signed
  auto src = io::open_byte_source("s3://signed-bkt/pre/fix/f1.nc");
  EXPECT_EQ(read_all(*src, 100, 200), pattern(5000, 1).substr(100, 200));
  EnvScope wrong("AWS_SECRET_ACCESS_KEY", "wrong-secret");
  try {
    io::open_byte_source("s3://signed-bkt/pre/fix/f1.nc");
    FAIL() << "a wrong signature was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("status 403"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("wrong-secret"), std::string::npos) << e.what();
  }
  opts->no_sign_request = true;  // anonymous: refused by a private bucket
  EXPECT_THROW(io::open_byte_source("s3://signed-bkt/pre/fix/f1.nc"), Error);
}

TEST_F(HttpIo, RangesOverHttpAndTls) {
  const std::string data = pattern(200000, 1);
  auto src = io::open_byte_source(nginx_.http_url() + "/data/2024/a.nc");
  EXPECT_EQ(src->size(), data.size());
  EXPECT_EQ(read_all(*src, 99999, 12), data.substr(99999, 12));

  const std::string tls = nginx_.https_url() + "/data/2024/a.nc";
  try {
    io::open_byte_source(tls);  // the test's own CA is not trusted by default
    FAIL() << "an unknown certificate was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(tls), std::string::npos);
  }
  opts_->cacert = nginx_.cert_file();
  auto secure = io::open_byte_source(tls);
  EXPECT_EQ(read_all(*secure, 5, 70000), data.substr(5, 70000));
}

// Idle connections are kept for whichever thread asks next: 12 threads, each
// reading 10 ranges one after another, need at most 12 connections. (libcurl
// keeps 4 x one multi handle's transfers by default; with a transfer per
// thread, 4 connections were kept and most requests opened a new one: a
// round trip more each, two more with TLS.)
TEST_F(HttpIo, ManyThreadsReuseTheirConnections) {
  const std::string data = pattern(200000, 1);
  auto src = io::open_byte_source(nginx_.http_url() + "/data/2024/a.nc");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  std::set<std::string> ranges;  // as nginx logs the Range header
  for (size_t t = 0; t < 12; ++t) {
    for (size_t i = 0; i < 10; ++i) {
      const uint64_t at = (t * 10 + i) * 1000 + 7;
      ranges.insert("bytes=" + std::to_string(at) + "-" + std::to_string(at + 499));
    }
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < 10; ++i) {
        const uint64_t at = (t * 10 + i) * 1000 + 7;
        if (read_all(*src, at, 500) != data.substr(at, 500)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  // nginx logs a request after answering it: wait for all 120 lines.
  std::set<std::string> connections;
  size_t ours = 0;
  for (int tries = 0; tries < 1000 && ours < ranges.size(); ++tries) {
    if (tries) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    connections.clear();
    ours = 0;
    std::ifstream in(nginx_.access_log());
    for (std::string line; std::getline(in, line);) {
      const auto q = line.rfind(" \"");
      if (q == std::string::npos || !ranges.count(line.substr(q + 2, line.size() - q - 3)))
        continue;
      ++ours;
      connections.insert(line.substr(0, line.find(' ')));
    }
  }
  EXPECT_EQ(ours, ranges.size());
  EXPECT_LE(connections.size(), 12u);
}

TEST_F(HttpIo, ThreddsCatalogAndUrlList) {
  const auto files = io::list_objects(nginx_.http_url() + "/thredds/catalog.xml");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].uri, nginx_.http_url() + "/data/2024/a.nc");
  EXPECT_EQ(files[2].uri, nginx_.http_url() + "/data/2025/c.nc");
  EXPECT_EQ(files[2].size, 100000u);
  EXPECT_FALSE(files[2].etag.empty());

  const std::string list = root_ / "urls.txt";
  write_file(list, "# two files\n" + nginx_.http_url() + "/data/2025/c.nc\n\n" + nginx_.http_url() +
                       "/data/2024/b.nc\n");
  const auto listed = io::list_objects("@" + list);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].uri, nginx_.http_url() + "/data/2024/b.nc");
  EXPECT_EQ(listed[0].size, 150000u);
}

// A caller about to read an object's first bytes gets them, its size and
// version in one request (no HEAD); an object shorter than that head comes
// whole; an absent one is nullptr; faults on that request are retried like
// any range.
TEST_F(HttpIo, HeadOfAnObjectComesWithItsSizeInOneRequest) {
  const std::string data = pattern(200000, 1);
  const std::string url = nginx_.http_url() + "/data/2024/a.nc";
  uint64_t before = io::http_counters().requests;
  auto src = io::open_byte_source_head(url, 65536);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->size(), data.size());
  EXPECT_EQ(read_all(*src, 0, 65536), data.substr(0, 65536));
  EXPECT_EQ(read_all(*src, 7, 100), data.substr(7, 100));
  EXPECT_EQ(io::http_counters().requests, before + 1);
  EXPECT_EQ(read_all(*src, 150000, 1000), data.substr(150000, 1000));  // past the head
  EXPECT_EQ(io::http_counters().requests, before + 2);

  before = io::http_counters().requests;
  auto small = io::open_byte_source_head(nginx_.http_url() + "/data/2025/c.nc", 1 << 20);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->size(), 100000u);
  EXPECT_EQ(read_all(*small, 0, 100000), pattern(100000, 3));
  EXPECT_EQ(io::http_counters().requests, before + 1);
  EXPECT_EQ(io::open_byte_source_head(nginx_.http_url() + "/data/none.nc", 65536), nullptr);

  for (const std::string mode : {"status:503", "reset", "short", "badrange", "shortrange"}) {
    SCOPED_TRACE(mode);
    testing::FaultProxy proxy(nginx_.http_url(), mode, 2);
    auto faulty = io::open_byte_source_head(proxy.url() + "/data/2024/a.nc", 65536);
    ASSERT_TRUE(faulty);
    EXPECT_EQ(faulty->size(), data.size());
    EXPECT_EQ(read_all(*faulty, 0, 65536), data.substr(0, 65536));
    EXPECT_EQ(read_all(*faulty, 100000, 100000), data.substr(100000));
  }
}

// Every fault: the same bytes as the file, or (when it never stops) a clear
// error naming the URL and the last status.
TEST_F(HttpIo, FaultsRecoverOrFailClearly) {
  const std::string data = pattern(200000, 1);
  const io::ObjectInfo info = io::stat_object(nginx_.http_url() + "/data/2024/a.nc");
  for (const std::string mode : {"status:503", "status:429", "status:500", "reset", "short",
                                 "badrange", "shortrange", "stall", "drip"}) {
    SCOPED_TRACE(mode);
    testing::FaultProxy proxy(nginx_.http_url(), mode, 2);
    io::ObjectInfo known = info;
    known.uri = proxy.url() + "/data/2024/a.nc";
    auto src = io::open_byte_source(known.uri, &known);
    const uint64_t retries = io::http_counters().retries;
    EXPECT_EQ(read_all(*src, 1000, 150000), data.substr(1000, 150000));
    EXPECT_GE(io::http_counters().retries, retries + (mode == "drip" ? 0 : 2));
  }
  testing::FaultProxy broken(nginx_.http_url(), "status:503", -1);
  const std::string url = broken.url() + "/data/2024/a.nc";
  io::ObjectInfo known = info;
  known.uri = url;
  auto src = io::open_byte_source(url, &known);
  try {
    read_all(*src, 0, 10);
    FAIL() << "a server answering 503 forever gave bytes";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
    EXPECT_NE(msg.find("status 503"), std::string::npos) << msg;
    EXPECT_NE(msg.find("5 attempts"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace pixeldrill

// Issue #13, packaging: the Debian package CPack makes from this build tree
// holds the binary, its man page, README, docs and LICENSE (and nothing of
// the tests or benchmarks), declares the libraries loaded at run time, and
// its binary runs from an unpacked root.
#include <gtest/gtest.h>

#include <filesystem>

#include "../drill/drill_test_util.h"

using namespace pixeldrill::testing;

TEST(Packaging, DebianPackageHoldsBinaryManPageDocsAndRuns) {
  TempDir out;
  const std::string build = std::filesystem::path(pixeldrill_bin()).parent_path().string();
  const auto packed = run("cd '" + build + "' && cpack -G DEB -B '" + out.str("deb") + "' 2>&1");
  ASSERT_EQ(packed.status, 0) << packed.out;
  std::string deb;
  for (const auto& e : std::filesystem::directory_iterator(out.str("deb"))) {
    if (e.path().extension() == ".deb") deb = e.path().string();
  }
  ASSERT_FALSE(deb.empty()) << packed.out;
  EXPECT_NE(deb.find("pixeldrill_0.1.0_"), std::string::npos) << deb;

  const auto contents = run("dpkg-deb -c '" + deb + "'");
  ASSERT_EQ(contents.status, 0);
  for (const char* path :
       {"./usr/bin/pixeldrill", "./usr/share/man/man1/pixeldrill.1",
        "./usr/share/doc/pixeldrill/LICENSE", "./usr/share/doc/pixeldrill/README.md",
        "./usr/share/doc/pixeldrill/docs/store.md"}) {
    EXPECT_NE(contents.out.find(std::string(path) + "\n"), std::string::npos) << path;
  }
  for (const char* absent : {"pixeldrill_tests", "nc_loop_drill", "test-cache"}) {
    EXPECT_EQ(contents.out.find(absent), std::string::npos) << absent;
  }
  // netCDF-C and HDF5 are dlopen'ed, so the package must name them itself.
  const auto depends = run("dpkg-deb -f '" + deb + "' Depends");
  EXPECT_NE(depends.out.find("libnetcdf"), std::string::npos) << depends.out;
  EXPECT_NE(depends.out.find("libhdf5"), std::string::npos) << depends.out;
  EXPECT_NE(depends.out.find("libcurl"), std::string::npos) << depends.out;
  EXPECT_EQ(run("dpkg-deb -f '" + deb + "' Package").out, "pixeldrill\n");

  const std::string root = out.str("root");
  ASSERT_EQ(run("dpkg-deb -x '" + deb + "' '" + root + "'").status, 0);
  const auto help = run(root + "/usr/bin/pixeldrill drill --help");
  ASSERT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--point"), std::string::npos);
  EXPECT_NE(help.out.find("--precision"), std::string::npos);
  const std::string license = read_text(root + "/usr/share/doc/pixeldrill/LICENSE");
  EXPECT_NE(license.find("Apache License"), std::string::npos);
  EXPECT_NE(license.find("Version 2.0, January 2004"), std::string::npos);
  // The man page is the --help text of every subcommand, readable by man.
  const std::string man = read_text(root + "/usr/share/man/man1/pixeldrill.1");
  EXPECT_EQ(man.rfind(".TH PIXELDRILL 1", 0), 0u);
  for (const char* section :
       {".SH PIXELDRILL DRILL", ".SH PIXELDRILL CONVERT", ".SH PIXELDRILL INFO"}) {
    EXPECT_NE(man.find(section), std::string::npos) << section;
  }
  const auto rendered = run("MANWIDTH=100 man -l '" + root +
                            "/usr/share/man/man1/pixeldrill.1' 2>&1 | grep -c -- --point");
  if (rendered.status == 0) {
    EXPECT_GT(std::stoi(rendered.out), 0);
  }
}

#pragma once
// Running pixeldrill under `mpirun` in tests: OpenMPI on a 2-core machine
// (oversubscribed), as root when CI is root, shared memory only, every run
// bounded by `timeout` so a hang fails the test (status 124) instead of
// blocking CI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "../drill/drill_test_util.h"

namespace pixeldrill::testing {

// Why the MPI tests cannot run here, or "" when they can.
inline std::string mpi_unavailable() {
  const auto plugin =
      std::filesystem::path(pixeldrill_bin()).parent_path() / "libpixeldrill_mpi.so";
  if (!std::filesystem::exists(plugin)) {
    return "pixeldrill was built without MPI (no " + plugin.string() + ")";
  }
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) return "mpirun is not installed";
  return "";
}

#define PIXELDRILL_REQUIRE_MPI()                                      \
  do {                                                                \
    const std::string why = ::pixeldrill::testing::mpi_unavailable(); \
    if (!why.empty()) GTEST_SKIP() << why;                            \
  } while (0)

// A suite's scratch folder, with SOURCE_DATE_EPOCH fixed (files say when
// they were made: runs at different times give the same bytes); null when
// the MPI tests cannot run here.
inline TempDir* start_mpi_suite(const std::string& prefix) {
  if (!mpi_unavailable().empty()) return nullptr;
  ::setenv("SOURCE_DATE_EPOCH", "1764633600", 1);
  return new TempDir(prefix);
}

// A session folder for this test process's mpiruns. By default every mpirun
// of a user shares /tmp/ompi.HOST.UID, and one finishing can remove it while
// another (a test running beside it: ctest -j2) is creating its own inside:
// "ORTE_ERROR_LOG: Error in file orte/util/session_dir.c", exit 1, no rank
// started.
inline const std::string& mpi_session_base() {
  struct Base {
    std::string path;
    Base() : path((std::filesystem::temp_directory_path() / "pixeldrill-ompi-XXXXXX").string()) {
      if (!::mkdtemp(path.data())) path = "/tmp";
    }
    ~Base() {
      std::error_code ec;
      if (path != "/tmp") std::filesystem::remove_all(path, ec);
    }
  };
  static const Base base;
  return base.path;
}

// `mpirun -np N pixeldrill ARGS` (N = 0: pixeldrill alone, no launcher).
inline std::string mpi_command(int ranks, const std::string& args, const std::string& env = "") {
  if (ranks == 0) return env + " timeout 300 " + pixeldrill_bin() + " " + args;
  // Under ASan, ranks do not check for leaks: OpenMPI's components leave
  // allocations whose frames LeakSanitizer can only call "<unknown module>"
  // (102 reports in one run, none with a pixeldrill frame; neither
  // tests/lsan.supp nor mca_base_component_disable_dlclose=1 reaches them).
  // The same code paths are leak-checked in the one-process tests; address
  // and UB errors still stop the ranks.
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
         "OMPI_MCA_orte_tmpdir_base=" +
         mpi_session_base() +
         " "
         "ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 " +
         env + " timeout 300 mpirun --oversubscribe --bind-to none -np " + std::to_string(ranks) +
         " " + pixeldrill_bin() + " " + args;
}

// Every regular file under root (relative path -> bytes).
inline std::map<std::string, std::string> tree_bytes(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    files[std::filesystem::relative(e.path(), root).string()] = read_text(e.path().string());
  }
  return files;
}

}  // namespace pixeldrill::testing

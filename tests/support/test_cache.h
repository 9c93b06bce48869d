#pragma once
// A test collection made once per build tree and shared by every test
// process: ctest runs each test in its own process, so a suite-level fixture
// that synthesises years of files would otherwise make them again for every
// test. Made under a lock (ctest -j runs tests side by side) and marked
// complete only when `make` succeeded; tests must not modify it.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "test_paths.h"

namespace pixeldrill::testing {

// Returns BUILD/test-cache/NAME, calling make(dir) first when it is not there
// yet; false from make leaves nothing behind and returns "".
inline std::string cached_test_data(const std::string& name,
                                    const std::function<bool(const std::string&)>& make) {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(PIXELDRILL_BIN).parent_path() / "test-cache";
  fs::create_directories(root);
  const fs::path dir = root / name, done = root / (name + ".complete");
  const int lock = ::open((root / (name + ".lock")).c_str(), O_CREAT | O_RDWR, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) return "";
  std::string out = dir.string();
  if (!fs::exists(done)) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (make(out)) {
      std::ofstream(done) << "ok\n";
    } else {
      fs::remove_all(dir, ec);
      out.clear();
    }
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return out;
}

}  // namespace pixeldrill::testing

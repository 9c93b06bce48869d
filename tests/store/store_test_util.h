#pragma once
// Shared helpers for the Zarr / store / convert tests: temp dirs, running the
// CLI and /usr/bin/python3, reading files.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "../support/temp_dir.h"
#include "../support/test_paths.h"

namespace pixeldrill::store_test {

using pixeldrill::testing::TempDir;

struct RunResult {
  int status = -1;  // exit code, or 128+signal
  std::string out;
};

// Runs a shell command, capturing stdout (stderr goes to the test log unless
// the command redirects it).
inline RunResult run(const std::string& command) {
  RunResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

// Runs `command` under GNU time and returns the peak RSS (KiB) of that one
// process, or -1 when it failed. Not wait4() on a child forked from here: a
// forked child's high-water mark keeps the pages it inherited from this (large)
// test process until exec, so it would report the test's own RSS.
inline long run_peak_rss_kib(const std::string& command) {
  const std::filesystem::path report =
      std::filesystem::temp_directory_path() / ("pixeldrill-rss-" + std::to_string(::getpid()));
  const std::string line =
      "/usr/bin/time -f %M -o '" + report.string() + "' sh -c 'exec " + command + "' > /dev/null";
  const int st = std::system(line.c_str());
  std::ifstream in(report);
  long kib = -1;
  in >> kib;
  std::filesystem::remove(report);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? kib : -1;
}

inline std::string bin() { return PIXELDRILL_BIN; }
inline std::string python_script(const std::string& name) {
  return std::string("/usr/bin/python3 ") + PIXELDRILL_SOURCE_DIR + "/tests/python/" + name;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every regular file under root (relative path -> bytes), skipping the
// writer's scratch folder.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(e.path(), root).string();
    if (rel.rfind(".pixeldrill/tmp", 0) == 0) continue;
    files[rel] = read_text(e.path());
  }
  return files;
}

}  // namespace pixeldrill::store_test

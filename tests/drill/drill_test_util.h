#pragma once
// Helpers for the drill/output/catalog tests: a temp folder removed at the
// end of the test, running a shell command and capturing its stdout.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "../support/test_paths.h"

namespace pixeldrill::testing {

struct CommandResult {
  int status = -1;  // exit code
  std::string out;  // stdout
};

// Runs `command` through the shell; stderr is left to the test log unless
// the command redirects it.
inline CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

inline std::string python() { return "/usr/bin/python3"; }
inline std::string python_script(const std::string& name) {
  return std::string(PIXELDRILL_SOURCE_DIR) + "/tests/python/" + name;
}
inline std::string fixture(const std::string& name) {
  return std::string(PIXELDRILL_FIXTURES_DIR) + "/" + name;
}
inline std::string pixeldrill_bin() { return PIXELDRILL_BIN; }
// Same; callable unqualified only inside namespace pixeldrill::testing.
inline std::string pixeldrill() { return PIXELDRILL_BIN; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace pixeldrill::testing

namespace pixeldrill::testing {

// A small synthetic collection crossing the 2016 chunk-layout era and the
// 2020 loss of the sea-ice variables: 90 x 120 pixels, 8 daily files.
inline bool make_era_collection(const std::string& dir) {
  const std::string synth =
      pixeldrill_bin() + " synth " + dir + " --decimate 50 -q --threads 2 --no-gaps";
  return run(synth + " --from 2015-12-30 --to 2016-01-02").status == 0 &&
         run(synth + " --from 2019-12-30 --to 2020-01-02").status == 0;
}

// One table row of a drill CSV, split on commas (ids in tests have none).
using CsvTable = std::vector<std::vector<std::string>>;
inline CsvTable parse_csv(const std::string& text) {
  CsvTable t;
  for (const auto& line : lines(text)) t.push_back(split(line, ','));
  return t;
}

}  // namespace pixeldrill::testing

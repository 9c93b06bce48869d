
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "core/error.h"

namespace pixeldrill::cli {
namespace {
std::vector<std::pair<int, CommandFactory>>& registry() {
  static std::vector<std::pair<int, CommandFactory>> factories;
  return factories;
}

std::string g_command_line;

std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_.,/:=+@%") == std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

const std::string& command_line() { return g_command_line; }

bool register_command(int order, CommandFactory factory) {
  registry().emplace_back(order, factory);
  return true;
}

}  // namespace pixeldrill::cli

int main(int argc, char** argv) {
  using namespace pixeldrill;
  cli::g_command_line = "pixeldrill";
  for (int i = 1; i < argc; ++i) cli::g_command_line += " " + cli::shell_word(argv[i]);
  // HDF5's at-exit shutdown is turned off where HDF5 is loaded
  // (formats/lazy_library.cpp), before its first call.
  CLI::App app{
      "pixeldrill: fast time series at points and small areas from gridded NetCDF archives",
      "pixeldrill"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pixeldrill 0.1.0");
  auto& factories = cli::registry();
  std::sort(factories.begin(), factories.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<cli::Command> commands;
  for (const auto& [order, factory] : factories) commands.push_back(factory(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    const char* name = command.app->get_name().c_str();
    try {
      const int status = command.run();
      // Text printed with printf sits in stdio's buffer: a full disk or
      // /dev/full only shows up when it is flushed.
      if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "pixeldrill %s: error: standard output: write failed: %s\n", name,
                     std::strerror(errno));
        return kExitError;
      }
      return status;
    } catch (const Error& e) {
      std::fprintf(stderr, "pixeldrill %s: error: %s\n", name, e.what());
      return exit_code_for(e.kind());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pixeldrill %s: internal error: %s\n", name, e.what());
      return kExitError;
    }
  }
  return kExitUsage;
}

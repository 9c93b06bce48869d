#pragma once
// Each subcommand lives in its own file and registers itself here, so adding
// a command never touches main.cpp.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace pixeldrill::cli {

struct Command {
  CLI::App* app = nullptr;   // the subcommand, owned by the root app
  std::function<int()> run;  // returns an ExitCode
};

using CommandFactory = Command (*)(CLI::App& root);

// Call from a namespace-scope initializer; `order` sorts --help output.
bool register_command(int order, CommandFactory factory);

// The command line this process was started with, words shell-quoted when
// needed (for the "history" attribute of files it writes).
const std::string& command_line();

// "a,b,,c" -> {a, b, c}: the comma-separated lists of --vars and --chunks.
std::vector<std::string> split_list(const std::string& text);

}  // namespace pixeldrill::cli

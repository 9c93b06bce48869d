#pragma once
// Errors that reach the user: every message names the file, variable or
// parameter it is about, so the CLI can print it as-is.
#include <stdexcept>
#include <string>

namespace pixeldrill {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Process exit codes shared by every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitPartial = 3,  // result written, but some input files were skipped
};

}  // namespace pixeldrill

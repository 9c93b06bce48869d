#pragma once
// Errors that reach the user: every message names the file, variable or
// parameter it is about, so the CLI can print it as-is. The kind lets the CLI
// map an error to an exit status and a server to an HTTP status without
// reading the message.
#include <stdexcept>
#include <string>

namespace pixeldrill {

enum class ErrorKind {
  kBadRequest,      // the query or an argument is wrong (CLI exit 2, HTTP 400)
  kNotFound,        // unknown dataset, file or key (HTTP 404)
  kNoSuchVariable,  // the request names a variable the source lacks (CLI exit 2, HTTP 404)
  kTooLarge,        // the answer would exceed a limit the caller set (HTTP 413)
  kSourceChanged,   // a file or object changed since it was indexed (HTTP 409)
  kCorrupt,         // stored bytes fail a check or cannot be decoded (HTTP 500)
  kIo,              // reading or writing failed: disk, network (HTTP 502/503)
  kInternal,        // a bug (HTTP 500)
};

const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorKind kind = ErrorKind::kIo)
      : std::runtime_error(message), kind_(kind) {}
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Shorthand for the errors a caller can fix by changing the request.
inline Error BadRequest(const std::string& message) {
  return Error(ErrorKind::kBadRequest, message);
}

// Process exit codes shared by every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitPartial = 3,  // result written, but some input files were skipped
};

// The exit status of an error that ends a command.
inline int exit_code_for(ErrorKind kind) {
  return kind == ErrorKind::kBadRequest || kind == ErrorKind::kNoSuchVariable ? kExitUsage
                                                                              : kExitError;
}

}  // namespace pixeldrill

#pragma once
// Sets io::remote_options() fields for one test and restores them after.
#include <cstdlib>
#include <string>

#include "io/remote_options.h"

namespace pixeldrill::testing {

class RemoteOptionsScope {
 public:
  RemoteOptionsScope() : saved_(io::remote_options()) {
    auto& o = io::remote_options();
    o.retries = 4;
    o.backoff_seconds = 0.02;  // fault tests retry quickly
    o.stall_seconds = 1;
    o.request_timeout = 10;
  }
  ~RemoteOptionsScope() { io::remote_options() = saved_; }
  RemoteOptionsScope(const RemoteOptionsScope&) = delete;
  RemoteOptionsScope& operator=(const RemoteOptionsScope&) = delete;
  io::RemoteOptions* operator->() { return &io::remote_options(); }

 private:
  io::RemoteOptions saved_;
};

// Environment variable set for one scope.
class EnvScope {
 public:
  EnvScope(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~EnvScope() {
    if (had_)
      ::setenv(name_, old_.c_str(), 1);
    else
      ::unsetenv(name_);
  }
  EnvScope(const EnvScope&) = delete;
  EnvScope& operator=(const EnvScope&) = delete;

 private:
  const char* name_;
  bool had_ = false;
  std::string old_;
};

}  // namespace pixeldrill::testing

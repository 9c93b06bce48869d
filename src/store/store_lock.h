#pragma once
// One writer per store: `convert` (and `convert --append`) holds an exclusive
// flock on STORE/.pixeldrill/lock for as long as it writes. A second writer is
// refused with a message instead of both appending the same steps and
// tripping over each other's temporary files. The lock goes with the process
// (also after kill -9), so a crashed conversion never leaves a stale lock.
#include <filesystem>

namespace pixeldrill::store {

inline constexpr const char* kLockKey = ".pixeldrill/lock";

class StoreLock {
 public:
  // Throws Error naming the store when another process holds the lock.
  explicit StoreLock(const std::filesystem::path& store);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace pixeldrill::store

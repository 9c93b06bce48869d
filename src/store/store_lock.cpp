#include "store/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace pixeldrill::store {

StoreLock::StoreLock(const std::filesystem::path& store) {
  const std::filesystem::path path = store / kLockKey;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw Error(path.string() + ": cannot create the store lock: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int why = errno;
    ::close(fd_);
    fd_ = -1;
    if (why == EWOULDBLOCK) {
      throw Error(store.string() + ": another pixeldrill convert is writing this store (it holds " +
                  path.string() + "); run this one again when that one has finished");
    }
    throw Error(path.string() + ": cannot lock the store: " + std::strerror(why));
  }
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace pixeldrill::store

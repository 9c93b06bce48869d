#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "io/byte_source.h"
#include "io/open_files.h"

namespace pixeldrill::io {

// A descriptor and the file's size when it was opened.
struct OpenedFile {
  std::string path;
  int fd = -1;
  uint64_t size = 0;

  // `out_of_descriptors`: set when opening failed for want of a descriptor.
  explicit OpenedFile(std::string p, bool* out_of_descriptors = nullptr) : path(std::move(p)) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (out_of_descriptors) *out_of_descriptors = errno == EMFILE || errno == ENFILE;
      throw Error(errno == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
                  path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int e = errno;
      ::close(fd);
      throw Error(path + ": cannot stat: " + std::strerror(e));
    }
    size = static_cast<uint64_t>(st.st_size);
  }
  ~OpenedFile() { ::close(fd); }
  OpenedFile(const OpenedFile&) = delete;
  OpenedFile& operator=(const OpenedFile&) = delete;
};

namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(std::shared_ptr<const OpenedFile> file) : file_(std::move(file)) {}

  uint64_t size() const override { return file_->size; }
  const std::string& name() const override { return file_->path; }

  void read(uint64_t offset, std::span<std::byte> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(file_->fd, out.data() + done, out.size() - done,
                                static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(file_->path + ": read failed: " + std::strerror(errno));
      if (n == 0) {
        throw Error(file_->path + ": file is shorter than expected (wanted bytes " +
                    std::to_string(offset) + ".." + std::to_string(offset + out.size()) +
                    ", file has " + std::to_string(file_->size) + ")");
      }
      done += static_cast<size_t>(n);
    }
  }

 private:
  std::shared_ptr<const OpenedFile> file_;
};

// Half the descriptor limit, at most 4,096: what the whole process keeps.
size_t kept_budget() {
  static const size_t budget = []() -> size_t {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 4096;
    return std::clamp<size_t>(static_cast<size_t>(limit.rlim_cur) / 2, 16, 4096);
  }();
  return budget;
}

// Files kept by every OpenFiles of the process (a server holds one per
// dataset version), so that together they stay within kept_budget().
std::atomic<size_t> kept_in_process{0};

// Counts one more kept file unless the process's budget is spent; one
// compare-and-swap, so threads of several datasets opening at once cannot
// pass the budget between a check and a count.
bool take_kept_slot() {
  size_t kept = kept_in_process.load();
  while (kept < kept_budget()) {
    if (kept_in_process.compare_exchange_weak(kept, kept + 1)) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::string& path) {
  return std::make_unique<FileSource>(std::make_shared<const OpenedFile>(path));
}

// (The budget is read here, once per process, not at a first open that may
// come when descriptors have run short.)
OpenFiles::OpenFiles(size_t max_files) : max_files_(max_files ? max_files : kept_budget()) {
  kept_budget();
}

OpenFiles::~OpenFiles() { kept_in_process -= files_.size(); }

void OpenFiles::let_all_go() {
  kept_in_process -= files_.size();
  files_.clear();
}

std::unique_ptr<ByteSource> OpenFiles::open(const std::string& path) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = files_.find(path); it != files_.end()) {
      return std::make_unique<FileSource>(it->second);
    }
  }
  std::shared_ptr<const OpenedFile> file;
  bool out_of_descriptors = false;
  try {
    file = std::make_shared<const OpenedFile>(path, &out_of_descriptors);
  } catch (const Error&) {
    if (!out_of_descriptors) throw;
    // The kept files go first, then one more try.
    {
      std::lock_guard lock(mutex_);
      let_all_go();
    }
    file = std::make_shared<const OpenedFile>(path);
  }
  std::lock_guard lock(mutex_);
  if (files_.size() >= max_files_) let_all_go();
  // The process keeps its budget already (other datasets): this one is not kept.
  // Two threads may open the same path at once: both descriptors are the same file, one is kept.
  if (!files_.contains(path) && take_kept_slot()) files_.emplace(path, file);
  return std::make_unique<FileSource>(std::move(file));
}

void OpenFiles::forget(const std::string& path) {
  std::lock_guard lock(mutex_);
  kept_in_process -= files_.erase(path);
}

size_t OpenFiles::size() const {
  std::lock_guard lock(mutex_);
  return files_.size();
}

}  // namespace pixeldrill::io

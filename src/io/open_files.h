#pragma once
// Local files kept open by a process that reads the same few hundred files
// again and again: a server drilling one store version opens ten chunk files
// per point, and opening, sizing and closing each was three system calls and
// a path lookup per chunk per request (docs/serve.md, "Chunk files kept
// open").
//
// A kept file is read as it was when first opened: a file renamed over since
// is still read from the one that was opened. So callers verify what they
// read (store::read_verified checks every block against the store's manifest)
// and forget() a path whose bytes did not match, to open it anew. Thread-safe;
// bounded: when full, or when the process runs out of descriptors, every
// kept file is let go (sources already handed out keep theirs until they are
// destroyed); and all of a process's OpenFiles together keep at most half
// its descriptor limit (4,096 at most), beyond which new files are read but
// not kept.
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "io/byte_source.h"

namespace pixeldrill::io {

struct OpenedFile;

class OpenFiles {
 public:
  // max_files 0: the process's budget (a 10-year store at 64 x 64 pixels a
  // chunk has 800 chunk files a variable).
  explicit OpenFiles(size_t max_files = 0);
  ~OpenFiles();
  OpenFiles(const OpenFiles&) = delete;
  OpenFiles& operator=(const OpenFiles&) = delete;

  // A source reading `path` through a descriptor kept open; as
  // open_file_source(path) otherwise (Error kNotFound when absent).
  std::unique_ptr<ByteSource> open(const std::string& path);
  // Lets go of `path`: its next open() opens the file anew.
  void forget(const std::string& path);
  // Files held now.
  size_t size() const;

 private:
  void let_all_go();  // with mutex_ held

  const size_t max_files_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const OpenedFile>> files_;
};

}  // namespace pixeldrill::io

#pragma once
// Building and incrementally updating a collection's chunk index: files whose
// path, size and modification time are unchanged since the previous index are
// reused as they are; new or changed files are read (in parallel) and files
// no longer in the collection are dropped.
#include <optional>
#include <string>
#include <vector>

#include "index/collection_index.h"
#include "parallel/communicator.h"

namespace pixeldrill::index {

struct IndexStats {
  size_t scanned = 0;  // files read now (new or changed)
  size_t reused = 0;   // unchanged files taken from the previous index
  size_t dropped = 0;  // files of the previous index gone from the collection
  size_t failed = 0;   // files that could not be indexed (in CollectionIndex::problems)
  double seconds = 0;  // wall time spent scanning
};

struct IndexOptions {
  unsigned threads = 0;  // 0: one per core
  bool progress = true;
  // Empty: every variable. Else only these (and the coordinates): remotely
  // each variable left out is a request per file saved (docs/remote.md).
  std::vector<std::string> variables = {};
};

// `previous` is the index to update, if any. Throws Error when the collection
// cannot be listed or holds no file at all. With a communicator of several
// ranks (mpirun), each rank reads its share of the files to scan and rank 0
// gets the whole index, identical to one process's; other ranks get an empty
// one (and their own share's counts in `stats`).
CollectionIndex build_index(const std::string& collection, const CollectionIndex* previous,
                            const IndexOptions& options, IndexStats* stats,
                            parallel::Communicator* comm = nullptr);

// Size and modification time (ns) of a file; throws Error naming it.
void stat_file(const std::string& path, uint64_t* size, int64_t* mtime_ns);

}  // namespace pixeldrill::index

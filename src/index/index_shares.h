#pragma once
// How the ranks of an MPI run (`mpirun -np N pixeldrill index|refs`) share the
// building of one index: each lists the collection, they check that they saw
// the same files, each reads its share, and rank 0 merges the shares into its
// tables as if it had read them itself (index/indexer.cpp).
#include <optional>
#include <string>
#include <vector>

#include "index/collection_index.h"
#include "index/layout_interner.h"
#include "io/registry.h"
#include "parallel/communicator.h"

namespace pixeldrill::index {

// Takes rank 0's list of files to read; throws Error when this rank listed
// different files (the collection changed meanwhile).
void agree_on_listing(parallel::Communicator& comm, const std::vector<std::string>& paths,
                      std::vector<size_t>& to_scan);

// This rank's scanned entries (moved out of `entries`) and problems, with the
// tables they refer to, as bytes for rank 0.
std::string encode_share(const CollectionIndex& tables, const Interner& interner,
                         const std::vector<size_t>& scanned,
                         std::vector<std::optional<FileEntry>>& entries,
                         const std::vector<std::string>& problems);

// Rank 0's listing of a remote collection (`objects` there) in `objects` on
// every rank.
void share_listing(parallel::Communicator& comm, std::vector<io::ObjectInfo>& objects);

// Rank 0: another rank's share into `entries`/`problems` and its tables.
void merge_share(const std::string& bytes, Interner& interner,
                 std::vector<std::optional<FileEntry>>& entries,
                 std::vector<std::string>& problems);

}  // namespace pixeldrill::index

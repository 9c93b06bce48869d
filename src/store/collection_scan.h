#pragma once
// The source side of `convert`: the collection's files read through the
// reference drill's netCDF-C metadata reader (or from their chunk index,
// store/indexed_files.h), flattened into time steps, plus the attribute
// copying and the band reads the rechunker needs. netCDF-C is not
// thread-safe, so every call into it here holds one process-wide lock.
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "catalog/duplicates.h"
#include "catalog/nc_metadata.h"
#include "formats/netcdf/nc_file.h"
#include "store/indexed_files.h"
#include "store/value_encoding.h"

namespace pixeldrill::store {

std::mutex& netcdf_mutex();
// NcFile::open with HDF5's per-thread error printing turned off (hold the mutex).
formats::netcdf::NcFile open_netcdf_quietly(const std::string& path);

struct SourceStep {
  int64_t time = 0;  // Unix seconds
  size_t file = 0;   // index into Collection::files
  size_t index = 0;  // time index inside the file
};

struct Collection {
  std::string spec;    // as given on the command line
  std::string source;  // the collection folder (or glob, or URI) a store records
  std::string index;   // the chunk index the file list came from, if any
  std::vector<catalog::FileMetadata> files;  // readable files, sorted by path
  std::vector<SourceStep> steps;             // sorted by time
  std::vector<std::string> problems;         // unreadable files, by name
  // The unreadable files themselves: path, why.
  std::vector<std::pair<std::string, std::string>> unreadable;
  // Set when the files are known from a chunk index rather than opened with
  // netCDF-C: a .pdx, or a remote collection indexed on the fly.
  std::shared_ptr<const IndexedFiles> indexed;

  // All attributes of a variable ("" = the global ones) of one of the files,
  // numbers widened (single values unwrapped), text as strings.
  nlohmann::json attributes(const std::string& path, const std::string& variable) const;
  // The variable's storage type in that file and its valid_min/valid_max.
  SourceVariable variable(const std::string& path, const std::string& variable) const;
};

// Discovers and reads every file; unreadable ones are listed in problems;
// files on another grid are refused with an Error naming them; files sharing
// a time step follow `duplicates` (catalog/duplicates.h). A chunk index
// (local or remote .pdx) gives its files' metadata itself; a remote
// collection (s3://, http(s)://, @urls.txt, catalog.xml) is indexed first,
// in memory, for `variables` only; with `ranks` > 1 (each rank would index
// it all) that is a BadRequest saying to index it first.
Collection scan_collection(const std::string& spec,
                           catalog::DuplicatePolicy duplicates = catalog::DuplicatePolicy::kRefuse,
                           const std::vector<std::string>& variables = {}, int ranks = 1);

// A source path as stores record it: local paths absolute and normal, URIs as they are.
std::string recorded_path(const std::string& path);

// Reads rows [r0, r1) of `variable` at time index `index` of `file` and
// encodes them into store items (missing when the file lacks the variable).
void read_rows(const catalog::FileMetadata& file, const std::string& variable, size_t index,
               size_t r0, size_t r1, const ValueEncoding& encoding, std::byte* out);

}  // namespace pixeldrill::store

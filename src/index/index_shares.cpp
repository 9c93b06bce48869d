#include "index/index_shares.h"

#include "index/binary_io.h"

namespace pixeldrill::index {

// Every rank listed the collection itself: they must have seen the same
// files, and they take rank 0's list of files to read.
void agree_on_listing(parallel::Communicator& comm, const std::vector<std::string>& paths,
                      std::vector<size_t>& to_scan) {
  Writer w;
  w.u64(paths.size());
  for (const auto& p : paths) w.str(p);
  w.u64(to_scan.size());
  for (size_t i : to_scan) w.u64(i);
  std::string listing = w.data();
  comm.broadcast(listing, 0);
  Reader r(listing.data(), listing.size(), "file list from rank 0");
  const size_t n = r.count(4);
  bool same = n == paths.size();
  for (size_t i = 0; i < n; ++i) same = r.str() == (i < paths.size() ? paths[i] : "") && same;
  if (!same) {
    throw Error("the collection changed while the ranks listed it (" + std::to_string(n) +
                " files on rank 0, " + std::to_string(paths.size()) + " here); run again");
  }
  to_scan.resize(r.count(8));
  for (auto& i : to_scan) i = r.u64();
}

void share_listing(parallel::Communicator& comm, std::vector<io::ObjectInfo>& objects) {
  std::string bytes;
  if (comm.rank() == 0) {
    Writer w;
    w.u64(objects.size());
    for (const auto& o : objects) {
      w.str(o.uri);
      w.u64(o.size);
      w.u64(static_cast<uint64_t>(o.mtime_ns));
      w.str(o.etag);
    }
    bytes = w.data();
  }
  comm.broadcast(bytes, 0);
  if (comm.rank() == 0) return;
  Reader r(bytes.data(), bytes.size(), "listing from rank 0");
  objects.resize(r.count(4 + 8 + 8 + 4));
  for (auto& o : objects) {
    o.uri = r.str();
    o.size = r.u64();
    o.mtime_ns = static_cast<int64_t>(r.u64());
    o.etag = r.str();
  }
}

// A rank's scanned files, for rank 0: the entries (with the grid and layout
// tables they refer to and each layout's attribute owner) and the problems,
// each with its position in the sorted file list.
std::string encode_share(const CollectionIndex& tables, const Interner& interner,
                         const std::vector<size_t>& scanned,
                         std::vector<std::optional<FileEntry>>& entries,
                         const std::vector<std::string>& problems) {
  CollectionIndex part;
  part.grids = tables.grids;
  part.layouts = tables.layouts;
  Writer w;
  w.u64(scanned.size());
  for (size_t i : scanned) {
    w.u64(i);
    w.u8(entries[i] ? 1 : 0);
    if (entries[i]) {
      part.files.push_back(std::move(*entries[i]));
    } else {
      part.problems.push_back(problems[i]);
    }
  }
  for (uint32_t l = 0; l < part.layouts.size(); ++l) w.str(interner.owner(l));
  Writer out;
  out.str(encode_index(part));
  out.str(w.data());
  return out.data();
}

// Rank 0 takes another rank's share into its tables, as if it had scanned it.
void merge_share(const std::string& bytes, Interner& interner,
                 std::vector<std::optional<FileEntry>>& entries,
                 std::vector<std::string>& problems) {
  Reader in(bytes.data(), bytes.size(), "index share from another rank");
  const std::string payload = in.str(), positions = in.str();
  CollectionIndex part = decode_index(payload.data(), payload.size(), "index share");
  Reader r(positions.data(), positions.size(), "index share positions");
  const size_t n = r.count(9);
  std::vector<std::pair<size_t, bool>> at(n);
  for (auto& [i, is_file] : at) {
    i = r.u64();
    is_file = r.u8() != 0;
    if (i >= entries.size()) r.fail("file position out of range");
  }
  std::vector<std::string> owners(part.layouts.size());
  for (auto& o : owners) o = r.str();
  std::vector<std::optional<uint32_t>> layout_map(part.layouts.size());
  size_t next_file = 0, next_problem = 0;
  for (const auto& [i, is_file] : at) {
    if (!is_file) {
      if (next_problem >= part.problems.size()) r.fail("problem count");
      problems[i] = std::move(part.problems[next_problem++]);
      continue;
    }
    if (next_file >= part.files.size()) r.fail("file count");
    FileEntry entry = std::move(part.files[next_file++]);
    auto& mapped = layout_map[entry.layout];
    if (!mapped) {
      Layout l = part.layouts[entry.layout];
      l.grid = interner.grid(catalog::Grid(part.grids[l.grid]));
      mapped = interner.layout(std::move(l), owners[entry.layout]);
    }
    entry.layout = *mapped;
    entries[i] = std::move(entry);
  }
}

}  // namespace pixeldrill::index

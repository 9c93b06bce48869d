#include "index/verify.h"

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "codec/block_crc.h"
#include "codec/chunk_pipeline.h"
#include "core/parallel.h"
#include "io/byte_source.h"

namespace pixeldrill::index {
namespace {

codec::Pipeline pipeline_of(const VarLayout& v) {
  codec::Pipeline p;
  p.elem_size = catalog::storage_size(v.type);
  for (size_t i = 0; i < v.filters.size(); ++i) {
    const int pos = static_cast<int>(i);
    if (v.filters[i].id == formats::hdf5::kFilterShuffle) p.shuffle = pos;
    if (v.filters[i].id == formats::hdf5::kFilterDeflate) p.deflate = pos;
    if (v.filters[i].id == formats::hdf5::kFilterFletcher32) p.fletcher32 = pos;
  }
  return p;
}

// Throws Error naming the file, variable and chunk at the first damage found.
void verify_file(const CollectionIndex& index, const FileEntry& f, std::atomic<uint64_t>& chunks,
                 std::atomic<uint64_t>& bytes) {
  struct stat st {};
  if (::stat(f.path.c_str(), &st) != 0)
    throw Error(f.path + ": cannot stat: " + std::strerror(errno));
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (static_cast<uint64_t>(st.st_size) != f.size || mtime != f.mtime_ns) {
    throw Error(f.path + ": changed since it was indexed; re-run pixeldrill index");
  }
  const auto source = io::open_file_source(f.path);
  const Layout& layout = index.layouts.at(f.layout);
  std::vector<std::byte> stored;
  codec::DecodedChunk decoded;
  for (size_t vi = 0; vi < f.vars.size(); ++vi) {
    const VarLayout& var = layout.vars.at(vi);
    const FileVar& fv = f.vars[vi];
    uint64_t chunk_elems = 1;
    for (auto c : var.chunk_shape) chunk_elems *= c;
    const codec::Pipeline pipeline = pipeline_of(var);
    for (size_t c = 0; c < fv.chunks.size(); ++c) {
      const auto& ref = fv.chunks[c];
      if (ref.offset == formats::hdf5::kNoStorage) continue;
      const std::string where = f.path + ": variable " + var.name + ": chunk " + std::to_string(c) +
                                " (bytes " + std::to_string(ref.offset) + ".." +
                                std::to_string(ref.offset + ref.size) + ")";
      stored.resize(ref.size);
      source->read(ref.offset, stored);
      try {
        const auto crcs = fv.crcs_of(c);
        if (crcs.empty()) throw codec::CodecError("the index holds no checksums for it");
        codec::verify_blocks(stored, 0, ref.size, crcs);
        // Decoding all of it checks fletcher32 and each whole stream's adler32.
        if (var.unsupported.empty() && chunk_elems > 0) {
          decoded.decode(pipeline, ref.filter_mask, stored, chunk_elems, chunk_elems - 1,
                         codec::Inflater::kLibdeflate);
        }
      } catch (const codec::CodecError& e) {
        throw Error(where + " is corrupt: " + e.what());
      }
      chunks += 1;
      bytes += ref.size;
    }
  }
}

}  // namespace

VerifyReport verify_index(const CollectionIndex& index, unsigned threads) {
  std::vector<std::string> problems(index.files.size());
  std::atomic<uint64_t> chunks{0}, bytes{0};
  parallel_for(index.files.size(), threads ? threads : default_threads(), [&](size_t i) {
    try {
      verify_file(index, index.files[i], chunks, bytes);
    } catch (const Error& e) {
      problems[i] = e.what();
    }
  });
  VerifyReport report;
  report.files = index.files.size();
  report.chunks = chunks.load();
  report.bytes = bytes.load();
  for (auto& p : problems) {
    if (!p.empty()) report.problems.push_back(std::move(p));
  }
  return report;
}

}  // namespace pixeldrill::index

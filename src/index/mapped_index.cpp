#include "index/mapped_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "codec/block_crc.h"
#include "index/index_codec.h"
#include "index/index_format.h"
#include "io/registry.h"

namespace pixeldrill::index {

using namespace format;
using namespace codec_detail;

struct MappedIndex::Record : FileRecord {};

namespace {

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t crc_of(const char* p, size_t n) {
  return codec::crc32c({reinterpret_cast<const std::byte*>(p), n});
}

}  // namespace

MappedIndex::~MappedIndex() {
  if (map_) ::munmap(map_, size_);
}

void MappedIndex::map_file(const std::string& path) {
  if (io::is_remote(path)) {
    // An index on S3 or HTTP is read whole in one GET and kept in memory.
    const auto bytes = io::read_object(path);
    if (!bytes) throw Error(ErrorKind::kNotFound, path + ": cannot open index (not found)");
    owned_.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    base_ = owned_.data();
    size_ = owned_.size();
    return;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::kNotFound, path + ": cannot open index");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw Error(path + ": cannot read index");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      ::close(fd);
      throw Error(path + ": cannot map index into memory");
    }
    map_ = m;
    base_ = static_cast<const char*>(m);
  }
  ::close(fd);
}

std::shared_ptr<const MappedIndex> MappedIndex::open(const std::string& path) {
  std::shared_ptr<MappedIndex> m(new MappedIndex);
  m->name_ = path;
  m->map_file(path);
  if (m->size_ < 12 || std::memcmp(m->base_, kMagic, 8) != 0) {
    throw Error(path + ": not a pixeldrill index (bad magic bytes)");
  }
  m->version_ = load<uint32_t>(m->base_ + 8);
  if (m->version_ == kVersion2) {
    // Decoded whole and re-encoded: drills answer the same, only the open is slower.
    const std::string v3 = encode_v3(decode_v2(m->base_, m->size_, path));
    if (m->map_) ::munmap(m->map_, m->size_);
    m->map_ = nullptr;
    m->owned_ = v3;
    m->base_ = m->owned_.data();
    m->size_ = m->owned_.size();
  } else if (m->version_ != kVersion3) {
    throw Error(path + ": index format version " + std::to_string(m->version_) +
                " is not supported (this pixeldrill reads versions 2 and 3); re-run "
                "pixeldrill index");
  }
  m->parse();
  return m;
}

std::shared_ptr<const MappedIndex> MappedIndex::in_memory(const CollectionIndex& index,
                                                          std::string name) {
  std::shared_ptr<MappedIndex> m(new MappedIndex);
  m->name_ = std::move(name);
  m->owned_ = encode_v3(index);
  m->base_ = m->owned_.data();
  m->size_ = m->owned_.size();
  m->version_ = kVersion3;
  m->parse();
  return m;
}

std::shared_ptr<const MappedIndex> MappedIndex::from_bytes(std::string bytes, std::string name) {
  std::shared_ptr<MappedIndex> m(new MappedIndex);
  m->name_ = std::move(name);
  m->owned_ = std::move(bytes);
  m->base_ = m->owned_.data();
  m->size_ = m->owned_.size();
  if (m->size_ < 12 || std::memcmp(m->base_, kMagic, 8) != 0) {
    throw Error(m->name_ + ": not a pixeldrill index (bad magic bytes)");
  }
  m->version_ = load<uint32_t>(m->base_ + 8);
  if (m->version_ != kVersion3) {
    throw Error(m->name_ + ": index format version " + std::to_string(m->version_) +
                " where version 3 was expected");
  }
  m->parse();
  return m;
}

void MappedIndex::inconsistent(const std::string& what) const {
  throw Error(name_ + ": index is inconsistent (" + what + "); re-run pixeldrill index");
}

// Only the header, the section table, the block CRC table and the metadata
// section are read here: O(1) in the number of files.
void MappedIndex::parse() {
  if (size_ < kHeaderV3) {
    throw Error(name_ + ": index is truncated (" + std::to_string(size_) + " bytes)");
  }
  const uint64_t declared = load<uint64_t>(base_ + 16);
  if (declared != size_) {
    throw Error(name_ + ": index is truncated or has trailing bytes (" + std::to_string(size_) +
                " of " + std::to_string(declared) + " bytes)");
  }
  const uint32_t count = load<uint32_t>(base_ + 12);
  body_ = load<uint64_t>(base_ + 24);
  crc_at_ = load<uint64_t>(base_ + 32);
  if ((count != kSectionCount && count != kSectionCountNoETags) ||
      body_ != kHeaderV3 + count * kSectionEntry || crc_at_ < body_ || crc_at_ > size_) {
    throw Error(name_ +
                ": index header is corrupt (checksum mismatch or bad layout); re-run "
                "pixeldrill index");
  }
  std::string covered(base_, 44);
  covered.append(base_ + kHeaderV3, count * kSectionEntry);
  if (crc_of(covered.data(), covered.size()) != load<uint32_t>(base_ + 44)) {
    throw Error(name_ + ": index header checksum mismatch (file corrupt); re-run pixeldrill index");
  }
  const uint64_t blocks = codec::crc_block_count(crc_at_ - body_);
  if (size_ - crc_at_ != blocks * 4) {
    throw Error(name_ + ": index is truncated (block checksums missing)");
  }
  if (crc_of(base_ + crc_at_, blocks * 4) != load<uint32_t>(base_ + 40)) {
    throw Error(name_ +
                ": index checksum mismatch in its block checksums (file corrupt); re-run "
                "pixeldrill index");
  }
  checked_.reset(new std::atomic<uint8_t>[blocks]());
  for (uint32_t k = 0; k < count; ++k) {
    const char* e = base_ + kHeaderV3 + k * kSectionEntry;
    const uint32_t kind = load<uint32_t>(e);
    Section s{load<uint64_t>(e + 8), load<uint64_t>(e + 16)};
    if (kind != k + 1 || s.offset < body_ || s.offset > crc_at_ || s.length > crc_at_ - s.offset) {
      inconsistent("section table");
    }
    sections_[kind] = s;
  }
  if (sections_[kFiles].length % sizeof(FileRecord) != 0 ||
      sections_[kTimeOrder].length % sizeof(TimeOrderRecord) != 0) {
    inconsistent("record sections");
  }
  file_count_ = sections_[kFiles].length / sizeof(FileRecord);

  const Section meta = sections_[kMeta];
  Reader r(bytes(kMeta, meta.offset, meta.length), meta.length, name_);
  collection_ = r.str();
  grids_.resize(r.count(16));
  for (auto& g : grids_) {
    g.lat = get_axis(r);
    g.lon = get_axis(r);
  }
  layouts_.resize(r.count(16));
  for (auto& l : layouts_) {
    l = get_layout(r);
    if (l.grid >= grids_.size()) inconsistent("layout grid");
  }
  problems_.resize(r.count(4));
  for (auto& p : problems_) p = r.str();
  summaries_.resize(r.count(28));
  if (summaries_.size() != layouts_.size()) inconsistent("layout summaries");
  for (auto& s : summaries_) {
    s.first_file = r.u32();
    s.files = r.u64();
    s.steps = r.u64();
    s.var_types.resize(r.count(1));
    for (auto& t : s.var_types) t = static_cast<catalog::StorageType>(r.u8());
    if (s.files > 0 && s.first_file >= file_count_) inconsistent("layout summary");
  }
  products_.resize(r.count(24));
  for (auto& p : products_) {
    p.key = r.str();
    p.files = r.u64();
    p.first = r.u32();
    p.second = r.u32();
  }
  unnamed_.resize(r.count(4));
  for (auto& f : unnamed_) {
    f = r.u32();
    if (f >= file_count_) inconsistent("file number");
  }
  if (!r.done()) inconsistent("metadata has trailing bytes");
}

void MappedIndex::check_blocks(uint64_t from, uint64_t to) const {
  const uint64_t first = (from - body_) / codec::kCrcBlockSize;
  const uint64_t last = (to - body_ + codec::kCrcBlockSize - 1) / codec::kCrcBlockSize;
  for (uint64_t b = first; b < last; ++b) {
    if (checked_[b].load(std::memory_order_acquire)) continue;
    const uint64_t at = body_ + b * codec::kCrcBlockSize;
    const uint64_t n = std::min<uint64_t>(codec::kCrcBlockSize, crc_at_ - at);
    if (crc_of(base_ + at, n) != load<uint32_t>(base_ + crc_at_ + b * 4)) {
      throw Error(name_ + ": index checksum mismatch in bytes " + std::to_string(at) + "-" +
                  std::to_string(at + n - 1) + " (file corrupt); re-run pixeldrill index");
    }
    checked_[b].store(1, std::memory_order_release);
  }
}

const char* MappedIndex::bytes(int section, uint64_t offset, uint64_t len) const {
  const Section& s = sections_[section];
  if (offset < s.offset || len > s.offset + s.length - offset) inconsistent("offset out of range");
  if (len > 0) check_blocks(offset, offset + len);
  return base_ + offset;
}

MappedIndex::Record MappedIndex::record(size_t file) const {
  if (file >= file_count_) inconsistent("file number " + std::to_string(file));
  const Section& s = sections_[kFiles];
  Record r;
  std::memcpy(static_cast<FileRecord*>(&r),
              bytes(kFiles, s.offset + file * sizeof(FileRecord), sizeof(FileRecord)),
              sizeof(FileRecord));
  if (r.layout >= layouts_.size() || r.path_length > sections_[kStrings].length ||
      r.path_offset > sections_[kStrings].length - r.path_length ||
      r.steps > sections_[kTimes].length / 16 ||
      r.times_offset > sections_[kTimes].length - uint64_t{r.steps} * 16 ||
      r.data_length > sections_[kFileData].length ||
      r.data_offset > sections_[kFileData].length - r.data_length ||
      (r.product != kNoProduct && r.product >= products_.size())) {
    inconsistent("file record " + std::to_string(file));
  }
  return r;
}

std::string MappedIndex::path(size_t file) const {
  const Record r = record(file);
  return {bytes(kStrings, sections_[kStrings].offset + r.path_offset, r.path_length),
          r.path_length};
}
std::string MappedIndex::etag(size_t file) const {
  const Section& s = sections_[kETags];
  if (s.length == 0) return {};  // written before ETags were kept
  if (file >= file_count_ || s.length != file_count_ * sizeof(ETagRecord)) {
    inconsistent("ETag of file " + std::to_string(file));
  }
  ETagRecord e;
  std::memcpy(&e, bytes(kETags, s.offset + file * sizeof(ETagRecord), sizeof e), sizeof e);
  if (e.length > sections_[kStrings].length || e.offset > sections_[kStrings].length - e.length) {
    inconsistent("ETag of file " + std::to_string(file));
  }
  return {bytes(kStrings, sections_[kStrings].offset + e.offset, e.length), e.length};
}

uint32_t MappedIndex::layout_of(size_t file) const { return record(file).layout; }
int64_t MappedIndex::mtime_ns(size_t file) const { return record(file).mtime_ns; }
uint32_t MappedIndex::product_of(size_t file) const { return record(file).product; }

std::vector<int64_t> MappedIndex::times(size_t file) const {
  const Record r = record(file);
  std::vector<int64_t> out(r.steps);
  const uint64_t at = sections_[kTimes].offset + r.times_offset + uint64_t{r.steps} * 8;
  if (r.steps) std::memcpy(out.data(), bytes(kTimes, at, r.steps * 8ull), r.steps * 8ull);
  return out;
}

FileEntry MappedIndex::file(size_t file) const {
  const Record r = record(file);
  FileEntry f;
  f.path = {bytes(kStrings, sections_[kStrings].offset + r.path_offset, r.path_length),
            r.path_length};
  f.size = r.size;
  f.mtime_ns = r.mtime_ns;
  f.etag = etag(file);
  f.layout = r.layout;
  f.time_raw.resize(r.steps);
  f.times.resize(r.steps);
  if (r.steps) {
    const char* t = bytes(kTimes, sections_[kTimes].offset + r.times_offset, r.steps * 16ull);
    std::memcpy(f.time_raw.data(), t, r.steps * 8ull);
    std::memcpy(f.times.data(), t + r.steps * 8ull, r.steps * 8ull);
  }
  Reader data(bytes(kFileData, sections_[kFileData].offset + r.data_offset, r.data_length),
              r.data_length, name_);
  f.vars = get_file_vars(data);
  if (!data.done() || f.vars.size() != layouts_[f.layout].vars.size()) {
    inconsistent("file " + f.path);
  }
  return f;
}

std::vector<uint32_t> MappedIndex::files_between(std::optional<int64_t> from,
                                                 std::optional<int64_t> to) const {
  const Section& s = sections_[kTimeOrder];
  const size_t n = s.length / sizeof(TimeOrderRecord);
  auto at = [&](size_t i) {
    return load<TimeOrderRecord>(
        bytes(kTimeOrder, s.offset + i * sizeof(TimeOrderRecord), sizeof(TimeOrderRecord)));
  };
  // First record at or after `t`.
  auto first_from = [&](int64_t t) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (at(mid).time < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  const size_t begin = from ? first_from(*from) : 0;
  size_t end = n;
  if (to) end = *to == INT64_MAX ? n : first_from(*to + 1);
  std::vector<uint32_t> files;
  if (begin < end) {
    const char* p = bytes(kTimeOrder, s.offset + begin * sizeof(TimeOrderRecord),
                          (end - begin) * sizeof(TimeOrderRecord));
    for (size_t i = 0; i < end - begin; ++i) {
      const auto rec = load<TimeOrderRecord>(p + i * sizeof(TimeOrderRecord));
      if (rec.file >= file_count_) inconsistent("time order");
      files.push_back(rec.file);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::vector<int64_t> MappedIndex::times_where(
    const std::function<bool(uint32_t layout)>& keep) const {
  const Section& s = sections_[kTimeOrder];
  const size_t n = s.length / sizeof(TimeOrderRecord);
  std::vector<bool> wanted(layouts_.size());
  for (uint32_t l = 0; l < layouts_.size(); ++l) wanted[l] = keep(l);
  std::vector<int64_t> out;
  out.reserve(n);
  const char* p = bytes(kTimeOrder, s.offset, s.length);
  for (size_t i = 0; i < n; ++i) {
    const auto rec = load<TimeOrderRecord>(p + i * sizeof(TimeOrderRecord));
    if (rec.layout >= wanted.size()) inconsistent("time order");
    if (wanted[rec.layout]) out.push_back(rec.time);
  }
  return out;
}

CollectionIndex MappedIndex::decode_all() const {
  check_blocks(body_, crc_at_);
  CollectionIndex index;
  index.collection = collection_;
  index.grids = grids_;
  index.layouts = layouts_;
  index.problems = problems_;
  index.files.reserve(file_count_);
  for (size_t i = 0; i < file_count_; ++i) index.files.push_back(file(i));
  return index;
}

}  // namespace pixeldrill::index

#include "index/collection_index.h"

#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec/block_crc.h"
#include "index/binary_io.h"

namespace pixeldrill::index {
namespace {

static_assert(std::endian::native == std::endian::little, "index I/O assumes little-endian");

constexpr size_t kHeaderSize = 32;

void put_opt(Writer& w, const std::optional<double>& v) {
  w.u8(v ? 1 : 0);
  w.f64(v.value_or(0));
}
std::optional<double> get_opt(Reader& r) {
  const bool has = r.u8() != 0;
  const double v = r.f64();
  return has ? std::optional<double>(v) : std::nullopt;
}

void put_u64s(Writer& w, const std::vector<uint64_t>& v) {
  w.u64(v.size());
  w.raw(v.data(), v.size() * 8);
}
std::vector<uint64_t> get_u64s(Reader& r) {
  std::vector<uint64_t> v(r.count(8));
  r.raw(v.data(), v.size() * 8);
  return v;
}

void put_axis(Writer& w, const catalog::Axis& a) {
  w.str(a.name);
  w.str(a.units);
  w.u8(a.float32 ? 1 : 0);
  w.u64(a.values.size());
  w.raw(a.values.data(), a.values.size() * 8);
}
catalog::Axis get_axis(Reader& r) {
  catalog::Axis a;
  a.name = r.str();
  a.units = r.str();
  a.float32 = r.u8() != 0;
  a.values.resize(r.count(8));
  r.raw(a.values.data(), a.values.size() * 8);
  return a;
}

void put_layout(Writer& w, const Layout& l) {
  w.u32(l.grid);
  w.str(l.lat_name);
  w.str(l.lon_name);
  w.str(l.time_name);
  w.str(l.global_attrs_json);
  w.u64(l.vars.size());
  for (const auto& v : l.vars) {
    w.str(v.name);
    w.u8(static_cast<uint8_t>(v.type));
    w.u8(v.big_endian ? 1 : 0);
    w.u64(v.dims.size());
    for (const auto& d : v.dims) w.str(d);
    put_u64s(w, v.shape);
    put_u64s(w, v.chunk_shape);
    w.u64(v.filters.size());
    for (const auto& f : v.filters) {
      w.u32(f.id);
      w.u32(f.flags);
      w.str(f.name);
      w.u64(f.params.size());
      w.raw(f.params.data(), f.params.size() * 4);
    }
    put_opt(w, v.hdf5_fill);
    w.str(v.attrs_json);
    w.str(v.unsupported);
  }
}
Layout get_layout(Reader& r) {
  Layout l;
  l.grid = r.u32();
  l.lat_name = r.str();
  l.lon_name = r.str();
  l.time_name = r.str();
  l.global_attrs_json = r.str();
  l.vars.resize(r.count(16));
  for (auto& v : l.vars) {
    v.name = r.str();
    v.type = static_cast<catalog::StorageType>(r.u8());
    v.big_endian = r.u8() != 0;
    v.dims.resize(r.count(4));
    for (auto& d : v.dims) d = r.str();
    v.shape = get_u64s(r);
    v.chunk_shape = get_u64s(r);
    v.filters.resize(r.count(16));
    for (auto& f : v.filters) {
      f.id = r.u32();
      f.flags = r.u32();
      f.name = r.str();
      f.params.resize(r.count(4));
      r.raw(f.params.data(), f.params.size() * 4);
    }
    v.hdf5_fill = get_opt(r);
    v.attrs_json = r.str();
    v.unsupported = r.str();
  }
  return l;
}

static_assert(sizeof(formats::hdf5::ChunkRef) == 16, "ChunkRef is written as raw 16-byte records");

void put_file(Writer& w, const FileEntry& f) {
  w.str(f.path);
  w.u64(f.size);
  w.i64(f.mtime_ns);
  w.u32(f.layout);
  w.u64(f.time_raw.size());
  w.raw(f.time_raw.data(), f.time_raw.size() * 8);
  w.raw(f.times.data(), f.times.size() * 8);
  w.u64(f.vars.size());
  for (const auto& v : f.vars) {
    w.u8(static_cast<uint8_t>(v.packing.type));
    put_opt(w, v.packing.fill_value);
    put_opt(w, v.packing.missing_value);
    put_opt(w, v.packing.scale_factor);
    put_opt(w, v.packing.add_offset);
    w.u64(v.chunks.size());
    w.raw(v.chunks.data(), v.chunks.size() * sizeof(formats::hdf5::ChunkRef));
    w.u64(v.inline_data.size());
    w.raw(v.inline_data.data(), v.inline_data.size());
    w.u64(v.block_crcs.size());
    w.raw(v.block_crcs.data(), v.block_crcs.size() * 4);
  }
}
FileEntry get_file(Reader& r) {
  FileEntry f;
  f.path = r.str();
  f.size = r.u64();
  f.mtime_ns = r.i64();
  f.layout = r.u32();
  const size_t nt = r.count(16);
  f.time_raw.resize(nt);
  f.times.resize(nt);
  r.raw(f.time_raw.data(), nt * 8);
  r.raw(f.times.data(), nt * 8);
  f.vars.resize(r.count(32));
  for (auto& v : f.vars) {
    v.packing.type = static_cast<catalog::StorageType>(r.u8());
    v.packing.fill_value = get_opt(r);
    v.packing.missing_value = get_opt(r);
    v.packing.scale_factor = get_opt(r);
    v.packing.add_offset = get_opt(r);
    v.chunks.resize(r.count(sizeof(formats::hdf5::ChunkRef)));
    r.raw(v.chunks.data(), v.chunks.size() * sizeof(formats::hdf5::ChunkRef));
    v.inline_data.resize(r.count(1));
    r.raw(v.inline_data.data(), v.inline_data.size());
    v.block_crcs.resize(r.count(4));
    r.raw(v.block_crcs.data(), v.block_crcs.size() * 4);
    uint64_t blocks = 0;
    for (const auto& c : v.chunks) {
      if (c.offset != formats::hdf5::kNoStorage) blocks += codec::crc_block_count(c.size);
    }
    // Every stored chunk has its checksums (a drill never reads unchecked
    // bytes), except in files indexed over the network, where computing them
    // would mean downloading every chunk: those have none, and their drills
    // rest on the object's version check and Adler-32 (docs/index.md).
    if (!v.block_crcs.empty() && v.block_crcs.size() != blocks) r.fail("chunk checksums");
  }
  return f;
}

}  // namespace

std::span<const uint32_t> FileVar::crcs_of(size_t c) const {
  if (block_crcs.empty() || c >= chunks.size() || chunks[c].offset == formats::hdf5::kNoStorage) {
    return {};
  }
  size_t first = 0;
  for (size_t k = 0; k < c; ++k) {
    if (chunks[k].offset != formats::hdf5::kNoStorage)
      first += codec::crc_block_count(chunks[k].size);
  }
  return std::span<const uint32_t>(block_crcs)
      .subspan(first, codec::crc_block_count(chunks[c].size));
}

uint64_t VarLayout::chunk_count() const {
  uint64_t n = 1;
  for (uint64_t g : chunk_grid()) n *= g;
  return n;
}

std::vector<uint64_t> VarLayout::chunk_grid() const {
  std::vector<uint64_t> grid(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) {
    grid[k] = chunk_shape[k] == 0 ? 0 : (shape[k] + chunk_shape[k] - 1) / chunk_shape[k];
  }
  return grid;
}

const VarLayout* Layout::find(const std::string& name, size_t* index) const {
  for (size_t i = 0; i < vars.size(); ++i) {
    if (vars[i].name == name) {
      if (index) *index = i;
      return &vars[i];
    }
  }
  return nullptr;
}

std::string Layout::describe() const {
  std::ostringstream out;
  std::vector<std::string> seen;
  for (const auto& v : vars) {
    if (v.dims.size() < 2) continue;
    std::ostringstream chunks;
    for (size_t k = 0; k < v.chunk_shape.size(); ++k) chunks << (k ? "x" : "") << v.chunk_shape[k];
    const std::string key = chunks.str() + " " + catalog::storage_name(v.type);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    out << (seen.empty() ? "" : ", ") << key;
    seen.push_back(key);
  }
  return "chunks " + out.str();
}

std::string encode_index(const CollectionIndex& index) {
  Writer w;
  w.str(index.collection);
  w.u64(index.grids.size());
  for (const auto& g : index.grids) {
    put_axis(w, g.lat);
    put_axis(w, g.lon);
  }
  w.u64(index.layouts.size());
  for (const auto& l : index.layouts) put_layout(w, l);
  w.u64(index.files.size());
  for (const auto& f : index.files) put_file(w, f);
  w.u64(index.problems.size());
  for (const auto& p : index.problems) w.str(p);
  return w.data();
}

CollectionIndex decode_index(const char* payload, size_t size, const std::string& what) {
  Reader r(payload, size, what);
  CollectionIndex index;
  index.collection = r.str();
  index.grids.resize(r.count(16));
  for (auto& g : index.grids) {
    g.lat = get_axis(r);
    g.lon = get_axis(r);
  }
  index.layouts.resize(r.count(16));
  for (auto& l : index.layouts) l = get_layout(r);
  index.files.resize(r.count(16));
  for (auto& f : index.files) {
    f = get_file(r);
    if (f.layout >= index.layouts.size() || f.vars.size() != index.layouts[f.layout].vars.size()) {
      throw Error(what + ": index is inconsistent (file " + f.path + ")");
    }
  }
  index.problems.resize(r.count(4));
  for (auto& p : index.problems) p = r.str();
  if (!r.done()) throw Error(what + ": index has trailing bytes");
  return index;
}

void write_index(const CollectionIndex& index, const std::string& path) {
  const std::string payload = encode_index(index);

  char header[kHeaderSize] = {0};
  std::memcpy(header, kMagic, 8);
  const uint32_t version = kFormatVersion;
  const uint64_t size = payload.size();
  const uint32_t crc = static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(payload.data()), payload.size()));
  std::memcpy(header + 8, &version, 4);
  std::memcpy(header + 16, &size, 8);
  std::memcpy(header + 24, &crc, 4);

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write index (creating " + tmp + ")");
    out.write(header, kHeaderSize);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      throw Error(path + ": cannot write index (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw Error(path + ": cannot replace index: " + ec.message());
  }
}

bool is_index_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {0};
  return in.read(magic, 8) && std::memcmp(magic, kMagic, 8) == 0;
}

CollectionIndex read_index(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(path + ": cannot open index");
  const auto total = static_cast<size_t>(in.tellg());
  in.seekg(0);
  std::string bytes(total, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(total))) {
    throw Error(path + ": cannot read index");
  }
  if (total < kHeaderSize || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    throw Error(path + ": not a pixeldrill index (bad magic bytes)");
  }
  uint32_t version = 0, crc = 0;
  uint64_t size = 0;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&size, bytes.data() + 16, 8);
  std::memcpy(&crc, bytes.data() + 24, 4);
  if (version != kFormatVersion) {
    throw Error(path + ": index format version " + std::to_string(version) +
                " is not supported (this pixeldrill reads version " +
                std::to_string(kFormatVersion) + "); re-run pixeldrill index");
  }
  if (size != total - kHeaderSize) {
    throw Error(path + ": index is truncated (" + std::to_string(total - kHeaderSize) + " of " +
                std::to_string(size) + " payload bytes)");
  }
  const char* payload = bytes.data() + kHeaderSize;
  if (static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(payload), size)) != crc) {
    throw Error(path + ": index checksum mismatch (file corrupt); re-run pixeldrill index");
  }
  return decode_index(payload, size, path);
}

}  // namespace pixeldrill::index

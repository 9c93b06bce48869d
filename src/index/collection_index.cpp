#include "index/collection_index.h"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "codec/block_crc.h"
#include "core/error.h"
#include "index/index_format.h"
#include "index/mapped_index.h"
#include "io/registry.h"

namespace pixeldrill::index {

static_assert(std::endian::native == std::endian::little, "index I/O assumes little-endian");

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

bool Layout::is_data_variable(const VarLayout& v) const {
  if (v.dims.size() == 1 && v.dims[0] == v.name) return false;
  const bool lat = std::find(v.dims.begin(), v.dims.end(), lat_name) != v.dims.end();
  const bool lon = std::find(v.dims.begin(), v.dims.end(), lon_name) != v.dims.end();
  return lat && lon && v.unsupported.rfind("data type", 0) != 0;
}

std::string VarLayout::text_attribute(const char* key) const {
  const auto attrs = nlohmann::json::parse(attrs_json, nullptr, false);
  if (!attrs.is_object()) return "";
  auto it = attrs.find(key);
  return it != attrs.end() && it->is_string() ? it->get<std::string>() : "";
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

// A rank's share travels in the version-3 encoding itself (checksums
// included), so there is one binary format to keep right.
std::string encode_index(const CollectionIndex& index) { return format::encode_v3(index); }

CollectionIndex decode_index(const char* payload, size_t size, const std::string& what) {
  return MappedIndex::from_bytes(std::string(payload, size), what)->decode_all();
}

void write_index(const CollectionIndex& index, const std::string& path) {
  const std::string bytes = format::encode_v3(index);
  if (io::is_remote(path)) {
    // One PUT: S3 shows readers the old index or the new one, never a part.
    io::write_object(path, bytes);
    return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write index (creating " + tmp + ")");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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
  if (io::is_remote(path)) {
    try {
      const auto source = io::open_byte_source(path);
      if (source->size() < 8) return false;
      char magic[8];
      source->read(0, std::as_writable_bytes(std::span(magic)));
      return std::memcmp(magic, kMagic, 8) == 0;
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kNotFound) return false;
      throw;
    }
  }
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {0};
  return in.read(magic, 8) && std::memcmp(magic, kMagic, 8) == 0;
}

CollectionIndex read_index(const std::string& path) {
  return MappedIndex::open(path)->decode_all();
}

}  // namespace pixeldrill::index

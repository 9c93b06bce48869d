#include "index/index_codec.h"

#include "codec/block_crc.h"

namespace pixeldrill::index::codec_detail {
namespace {

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

}  // namespace

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

void put_file_vars(Writer& w, const std::vector<FileVar>& vars) {
  w.u64(vars.size());
  for (const auto& v : vars) {
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

std::vector<FileVar> get_file_vars(Reader& r) {
  std::vector<FileVar> vars(r.count(32));
  for (auto& v : vars) {
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
  return vars;
}

}  // namespace pixeldrill::index::codec_detail

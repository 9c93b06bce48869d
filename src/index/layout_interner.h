#pragma once
// The grid and layout tables of an index being built, with lookup: files that
// share a grid or a dataset layout refer to one entry (index/indexer.cpp and,
// for the shares of an MPI run, index/index_shares.cpp).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/binary_io.h"
#include "index/collection_index.h"

namespace pixeldrill::index {

inline std::string layout_key(const Layout& l) {
  Writer w;
  w.u32(l.grid);
  w.str(l.lat_name);
  w.str(l.lon_name);
  w.str(l.time_name);
  for (const auto& v : l.vars) {
    w.str(v.name);
    w.u8(static_cast<uint8_t>(v.type));
    w.u8(v.big_endian);
    for (const auto& d : v.dims) w.str(d);
    for (auto s : v.shape) w.u64(s);
    w.u8(0xff);
    for (auto s : v.chunk_shape) w.u64(s);
    for (const auto& f : v.filters) {
      w.u32(f.id);
      w.u32(f.flags);
      for (auto p : f.params) w.u32(p);
    }
    w.u8(v.hdf5_fill.has_value());
    w.f64(v.hdf5_fill.value_or(0));
    w.str(v.attrs_json);
    w.str(v.unsupported);
  }
  return w.data();
}

// Grid and layout tables with lookup, shared by the scanning threads.
class Interner {
 public:
  explicit Interner(CollectionIndex& index) : index_(index) {
    for (uint32_t i = 0; i < index.grids.size(); ++i)
      grids_.emplace(index.grids[i].fingerprint(), i);
    for (uint32_t i = 0; i < index.layouts.size(); ++i)
      layouts_.emplace(layout_key(index.layouts[i]), i);
  }
  uint32_t grid(catalog::Grid&& g) {
    auto range = grids_.equal_range(g.fingerprint());
    for (auto it = range.first; it != range.second; ++it) {
      const auto& other = index_.grids[it->second];
      if (other == g && other.lat.float32 == g.lat.float32 && other.lon.float32 == g.lon.float32 &&
          other.lat.name == g.lat.name && other.lon.name == g.lon.name) {
        return it->second;
      }
    }
    const auto id = static_cast<uint32_t>(index_.grids.size());
    grids_.emplace(g.fingerprint(), id);
    index_.grids.push_back(std::move(g));
    return id;
  }
  // `owner` is the file the layout's global attributes come from; the
  // smallest path wins so the result does not depend on thread timing.
  uint32_t layout(Layout&& l, const std::string& owner) {
    std::string key = layout_key(l);
    auto it = layouts_.find(key);
    if (it != layouts_.end()) {
      std::string& current = owners_[it->second];
      if (current.empty() || owner < current) {
        current = owner;
        index_.layouts[it->second].global_attrs_json = std::move(l.global_attrs_json);
      }
      return it->second;
    }
    const auto id = static_cast<uint32_t>(index_.layouts.size());
    layouts_.emplace(std::move(key), id);
    index_.layouts.push_back(std::move(l));
    owners_.push_back(owner);
    return id;
  }
  const std::string& owner(uint32_t layout) const { return owners_[layout]; }

 private:
  CollectionIndex& index_;
  std::unordered_multimap<uint64_t, uint32_t> grids_;
  std::unordered_map<std::string, uint32_t> layouts_;
  std::vector<std::string> owners_;
};

}  // namespace pixeldrill::index

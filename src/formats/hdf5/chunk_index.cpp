#include "formats/hdf5/chunk_index.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "core/error.h"
#include "formats/hdf5/byte_source_vfd.h"
#include "formats/lazy_library.h"

namespace pixeldrill::formats::hdf5 {
namespace {

// HDF5's predefined type ids are library globals (what H5T_NATIVE_DOUBLE etc.
// expand to); the library is loaded lazily, so they are looked up by name.
hid_t global_type(const char* name) {
  H5open();
  return *static_cast<const hid_t*>(lazy_hdf5().variable(name));
}

// Closes an HDF5 handle with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0 && close_) close_(id_);
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

// Attributes written by netCDF-C / HDF5 dimension scales, not CF metadata.
bool is_internal_attribute(const std::string& name) {
  return name == "DIMENSION_LIST" || name == "REFERENCE_LIST" || name == "CLASS" ||
         name == "NAME" || name == "_Netcdf4Dimid" || name == "_Netcdf4Coordinates" ||
         name == "_nc3_strict" || name == "_NCProperties" || name == "_IsNetcdf4";
}

std::optional<formats::StorageType> storage_type_of(hid_t type, bool* big_endian) {
  using formats::StorageType;
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  *big_endian = H5Tget_order(type) == H5T_ORDER_BE;
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
      case 1:
        return is_signed ? StorageType::kInt8 : StorageType::kUInt8;
      case 2:
        return is_signed ? StorageType::kInt16 : StorageType::kUInt16;
      case 4:
        return is_signed ? StorageType::kInt32 : StorageType::kUInt32;
      case 8:
        return is_signed ? StorageType::kInt64 : StorageType::kUInt64;
    }
  } else if (cls == H5T_FLOAT) {
    if (size == 4) return StorageType::kFloat32;
    if (size == 8) return StorageType::kFloat64;
  }
  return std::nullopt;
}

// An attribute that exists but cannot be read (a scale_factor, a
// _FillValue) would silently change values: it is damage, not a gap.
[[noreturn]] void throw_unreadable(hid_t attr) {
  char name[1024] = {0};
  H5Aget_name(attr, sizeof name, name);
  throw Error(ErrorKind::kCorrupt,
              std::string("attribute ") + name + ": cannot read (damaged HDF5 metadata)");
}

nlohmann::ordered_json read_attribute(hid_t attr) {
  Handle type(H5Aget_type(attr), H5Tclose);
  Handle space(H5Aget_space(attr), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> strs(static_cast<size_t>(std::max<hssize_t>(n, 1)), nullptr);
      Handle mem(H5Tcopy(global_type("H5T_C_S1_g")), H5Tclose);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
      if (H5Aread(attr, mem.get(), strs.data()) < 0) throw_unreadable(attr);
      std::string text = strs[0] ? strs[0] : "";
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, strs.data());
      return text;
    }
    const size_t len = H5Tget_size(type.get());
    std::string text(len * static_cast<size_t>(std::max<hssize_t>(n, 1)), '\0');
    if (H5Aread(attr, type.get(), text.data()) < 0) throw_unreadable(attr);
    text.resize(std::strlen(text.c_str()));
    return text;
  }
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return nullptr;
  std::vector<double> values(static_cast<size_t>(n));
  if (n > 0 && H5Aread(attr, global_type("H5T_NATIVE_DOUBLE_g"), values.data()) < 0) {
    throw_unreadable(attr);
  }
  auto to_json = [&](double v) -> nlohmann::ordered_json {
    if (cls == H5T_INTEGER) return static_cast<int64_t>(v);
    return v;
  };
  if (values.size() == 1) return to_json(values[0]);
  auto arr = nlohmann::ordered_json::array();
  for (double v : values) arr.push_back(to_json(v));
  return arr;
}

nlohmann::ordered_json read_attributes(hid_t obj) {
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  H5O_info_t info{};
  if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0) {
    throw Error(ErrorKind::kCorrupt, "cannot list the attributes (damaged HDF5 metadata)");
  }
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    Handle attr(
        H5Aopen_by_idx(obj, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr.ok()) {
      attr =
          Handle(H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose);
    }
    if (!attr.ok()) {
      throw Error(ErrorKind::kCorrupt, "attribute number " + std::to_string(i) +
                                           ": cannot open (damaged HDF5 metadata)");
    }
    char name[1024] = {0};
    H5Aget_name(attr.get(), sizeof name, name);
    if (is_internal_attribute(name)) continue;
    attrs[name] = read_attribute(attr.get());
  }
  return attrs;
}

std::optional<double> first_number(const nlohmann::ordered_json& attrs, const char* name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_array() && !it->empty() && (*it)[0].is_number()) return (*it)[0].get<double>();
  return std::nullopt;
}

std::string object_name(hid_t obj) {
  char buf[1024] = {0};
  H5Iget_name(obj, buf, sizeof buf);
  std::string name = buf;
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// Dimension names from the netCDF-4 DIMENSION_LIST (dimension scales).
std::vector<std::string> dimension_names(hid_t ds, const std::string& name, int rank) {
  std::vector<std::string> dims;
  if (H5Aexists(ds, "DIMENSION_LIST") <= 0) {
    if (rank == 1) dims.push_back(name);  // a dimension scale is its own dimension
    for (int i = static_cast<int>(dims.size()); i < rank; ++i) {
      dims.push_back("phony_dim_" + std::to_string(i));
    }
    return dims;
  }
  Handle attr(H5Aopen(ds, "DIMENSION_LIST", H5P_DEFAULT), H5Aclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  Handle vlen(H5Tvlen_create(global_type("H5T_STD_REF_OBJ_g")), H5Tclose);
  std::vector<hvl_t> lists(static_cast<size_t>(rank));
  if (H5Aread(attr.get(), vlen.get(), lists.data()) < 0) {
    throw Error(name + ": cannot read DIMENSION_LIST");
  }
  for (const hvl_t& list : lists) {
    std::string dim = "phony_dim_" + std::to_string(dims.size());
    if (list.len > 0) {
      auto* refs = static_cast<hobj_ref_t*>(list.p);
      Handle target(H5Rdereference2(ds, H5P_DEFAULT, H5R_OBJECT, &refs[0]), H5Oclose);
      if (target.ok()) dim = object_name(target.get());
    }
    dims.push_back(dim);
  }
  H5Dvlen_reclaim(vlen.get(), space.get(), H5P_DEFAULT, lists.data());
  return dims;
}

void read_chunks(hid_t ds, Dataset& d, const std::string& where) {
  const auto grid = d.chunk_grid();
  uint64_t total = 1;
  for (uint64_t g : grid) total *= g;
  d.chunks.assign(total, ChunkRef{});
  hsize_t n = 0;
  Handle space(H5Dget_space(ds), H5Sclose);
  if (H5Dget_num_chunks(ds, space.get(), &n) < 0) throw Error(where + ": cannot count chunks");
  const size_t rank = d.shape.size();
  std::vector<hsize_t> coords(std::max<size_t>(rank, 1));
  for (hsize_t i = 0; i < n; ++i) {
    unsigned mask = 0;
    haddr_t addr = 0;
    hsize_t size = 0;
    if (H5Dget_chunk_info(ds, space.get(), i, coords.data(), &mask, &addr, &size) < 0) {
      throw Error(where + ": cannot read chunk " + std::to_string(i) + " location");
    }
    uint64_t linear = 0;
    for (size_t k = 0; k < rank; ++k) linear = linear * grid[k] + coords[k] / d.chunk_shape[k];
    if (linear >= total) throw Error(where + ": chunk outside the dataset shape");
    d.chunks[linear] = ChunkRef{addr, static_cast<uint32_t>(size), mask};
  }
}

// nullopt: a variable `only` leaves out (its chunk table, often a B-tree
// node far into the file, is never read).
std::optional<Dataset> read_dataset(hid_t ds, const std::string& name, const std::string& path,
                                    const std::vector<std::string>* only) {
  const std::string where = path + ": " + name;
  Dataset d;
  d.name = name;
  Handle type(H5Dget_type(ds), H5Tclose);
  const auto storage = storage_type_of(type.get(), &d.big_endian);
  Handle space(H5Dget_space(ds), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  d.shape.assign(dims.begin(), dims.end());
  d.dims = dimension_names(ds, name, rank);
  if (only && !d.is_coordinate() && std::find(only->begin(), only->end(), name) == only->end()) {
    return std::nullopt;
  }
  d.attrs = read_attributes(ds);
  if (!storage) {
    d.unsupported = "data type is not a number pixeldrill can decode";
    return d;
  }
  d.type = *storage;
  d.packing.type = d.type;
  d.packing.fill_value = first_number(d.attrs, "_FillValue");
  d.packing.missing_value = first_number(d.attrs, "missing_value");
  d.packing.scale_factor = first_number(d.attrs, "scale_factor");
  d.packing.add_offset = first_number(d.attrs, "add_offset");
  // CF _Unsigned: the stored signed integers mean unsigned ones, as xarray
  // and catalog::read_packing read them.
  if (auto it = d.attrs.find("_Unsigned"); it != d.attrs.end() && *it == "true") {
    using formats::StorageType;
    const StorageType t = d.type == StorageType::kInt8    ? StorageType::kUInt8
                          : d.type == StorageType::kInt16 ? StorageType::kUInt16
                          : d.type == StorageType::kInt32 ? StorageType::kUInt32
                          : d.type == StorageType::kInt64 ? StorageType::kUInt64
                                                          : d.type;
    if (t != d.type) {
      d.packing.type = t;
      const double wrap = std::ldexp(1.0, static_cast<int>(formats::storage_size(t)) * 8);
      for (auto* v : {&d.packing.fill_value, &d.packing.missing_value}) {
        if (*v && **v < 0) **v += wrap;
      }
    }
  }

  Handle dcpl(H5Dget_create_plist(ds), H5Pclose);
  double fill = 0;
  H5D_fill_value_t fill_state{};
  if (H5Pfill_value_defined(dcpl.get(), &fill_state) >= 0 &&
      fill_state != H5D_FILL_VALUE_UNDEFINED &&
      H5Pget_fill_value(dcpl.get(), global_type("H5T_NATIVE_DOUBLE_g"), &fill) >= 0) {
    d.hdf5_fill = fill;
  }
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(static_cast<size_t>(rank));
    H5Pget_chunk(dcpl.get(), rank, chunk.data());
    d.chunk_shape.assign(chunk.begin(), chunk.end());
    const int nfilters = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < nfilters; ++i) {
      unsigned flags = 0, config = 0;
      size_t nparams = 16;
      unsigned params[16] = {0};
      char fname[256] = {0};
      const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nparams,
                                             params, sizeof fname, fname, &config);
      Filter f{static_cast<uint32_t>(id), flags, fname, {}};
      f.params.assign(params, params + std::min<size_t>(nparams, 16));
      if (id != kFilterDeflate && id != kFilterShuffle && id != kFilterFletcher32) {
        d.unsupported = "filter " + std::to_string(id) +
                        (f.name.empty() ? "" : " (" + f.name + ")") +
                        " is not supported by the chunk reader";
      }
      d.filters.push_back(std::move(f));
    }
    read_chunks(ds, d, where);
  } else {
    d.chunk_shape = d.shape;
    if (layout == H5D_CONTIGUOUS) {
      const haddr_t addr = H5Dget_offset(ds);
      const hsize_t size = H5Dget_storage_size(ds);
      d.chunks.push_back(addr == HADDR_UNDEF ? ChunkRef{}
                                             : ChunkRef{addr, static_cast<uint32_t>(size), 0});
    } else if (layout == H5D_COMPACT) {
      d.inline_data.resize(H5Dget_storage_size(ds));
      if (!d.inline_data.empty() &&
          H5Dread(ds, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, d.inline_data.data()) < 0) {
        throw Error(where + ": cannot read compact data");
      }
      d.chunks.push_back(ChunkRef{});
    } else {
      d.unsupported = "storage layout is neither chunked, contiguous nor compact";
    }
  }
  if (d.is_coordinate()) {
    d.coord_values.resize(d.shape[0]);
    if (!d.coord_values.empty() && H5Dread(ds, global_type("H5T_NATIVE_DOUBLE_g"), H5S_ALL, H5S_ALL,
                                           H5P_DEFAULT, d.coord_values.data()) < 0) {
      throw Error(where + ": cannot read coordinate values");
    }
  }
  return d;
}

struct IterateState {
  std::vector<std::string> names;
};

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<IterateState*>(data)->names.emplace_back(name);
  return 0;
}

}  // namespace

std::vector<uint64_t> Dataset::chunk_grid() const {
  std::vector<uint64_t> grid(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) {
    grid[k] = chunk_shape[k] == 0 ? 0 : (shape[k] + chunk_shape[k] - 1) / chunk_shape[k];
  }
  return grid;
}

const Dataset* FileContents::find(const std::string& name) const {
  for (const auto& d : datasets) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

namespace {
FileContents read_chunk_index_with(const std::string& path, hid_t fapl,
                                   const std::vector<std::string>* only);
}  // namespace

FileContents read_chunk_index(const std::string& path, const std::vector<std::string>* only) {
  // HDF5 prints its own error stack by default; we report errors ourselves.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw Error(path + ": not an HDF5 / NetCDF-4 file (or not readable)");
  }
  return read_chunk_index_with(path, H5P_DEFAULT, only);
}

FileContents read_chunk_index(const std::string& name, const io::ByteSource& source,
                              const std::vector<std::string>* only) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  static constexpr unsigned char kMagic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  std::byte head[8]{};
  if (source.size() < 8) throw Error(name + ": not an HDF5 / NetCDF-4 file (too short)");
  source.read(0, head);
  if (std::memcmp(head, kMagic, 8) != 0) {
    throw Error(name + ": not an HDF5 / NetCDF-4 file (no HDF5 signature at byte 0)");
  }
  Handle fapl(byte_source_fapl(source), H5Pclose);
  try {
    return read_chunk_index_with(name, fapl.get(), only);
  } catch (const Error& e) {
    // A network or changed-object failure says more than HDF5's error.
    const std::string cause = last_byte_source_error();
    if (!cause.empty()) throw Error(e.what() + std::string(": ") + cause);
    throw;
  }
}

namespace {
FileContents read_chunk_index_with(const std::string& path, hid_t fapl,
                                   const std::vector<std::string>* only) {
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose);
  if (!file.ok()) throw Error(path + ": cannot open as HDF5");
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  FileContents out;
  out.path = path;
  try {
    out.global_attrs = read_attributes(root.get());
  } catch (const Error& e) {
    throw Error(e.kind(), path + ": global " + e.what());
  }
  IterateState state;
  hsize_t idx = 0;
  // Native order only: HDF5 1.10.8 builds a sorted link table for any other
  // order, and on a damaged link heap frees that table's uninitialised
  // entries (docs/reliability.md, item 14). Native order walks the index's
  // B-tree directly; creation order natively is increasing creation order.
  if (H5Literate(root.get(), H5_INDEX_CRT_ORDER, H5_ITER_NATIVE, &idx, collect_link, &state) < 0) {
    state.names.clear();
    idx = 0;
    if (H5Literate(root.get(), H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_link, &state) < 0) {
      throw Error(ErrorKind::kCorrupt,
                  path + ": cannot list the variables (damaged HDF5 group metadata)");
    }
    // As H5_ITER_INC by name lists them.
    std::sort(state.names.begin(), state.names.end());
  }
  for (const auto& name : state.names) {
    H5O_info_t info{};
    // A variable whose object header cannot be read is damage to report,
    // not a variable to leave out of the index without a word.
    if (H5Oget_info_by_name2(root.get(), name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      throw Error(ErrorKind::kCorrupt, path + ": variable " + name +
                                           ": cannot read its HDF5 object header (damaged "
                                           "metadata)");
    }
    if (info.type != H5O_TYPE_DATASET) continue;
    Handle ds(H5Dopen2(root.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) {
      throw Error(ErrorKind::kCorrupt, path + ": variable " + name +
                                           ": cannot open the HDF5 dataset (damaged metadata)");
    }
    // netCDF-4 dimensions without a coordinate variable are datasets too.
    if (H5Aexists(ds.get(), "NAME") > 0) {
      Handle attr(H5Aopen(ds.get(), "NAME", H5P_DEFAULT), H5Aclose);
      const auto text = read_attribute(attr.get());
      if (text.is_string() && text.get<std::string>().rfind(
                                  "This is a netCDF dimension but not a netCDF variable", 0) == 0) {
        continue;
      }
    }
    try {
      if (auto d = read_dataset(ds.get(), name, path, only)) out.datasets.push_back(std::move(*d));
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind(path, 0) == 0) throw;
      throw Error(e.kind(), path + ": variable " + name + ": " + what);
    }
  }
  return out;
}
}  // namespace

}  // namespace pixeldrill::formats::hdf5

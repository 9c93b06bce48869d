#include "store/chunk_reader.h"

#include <cstring>

#include "codec/inflate.h"
#include "codec/shuffle.h"
#include "core/error.h"
#include "io/byte_source.h"
#include "io/registry.h"
#include "store/collection_scan.h"

namespace pixeldrill::store {
namespace hdf5 = formats::hdf5;

ChunkReader::ChunkReader(const Collection& c)
    : c_(c), tables_(c.files.size()), locks_(c.files.size()) {}

const hdf5::FileContents* ChunkReader::table(size_t file_index, const std::string& path) {
  std::call_once(locks_[file_index], [&] {
    if (c_.indexed) {
      // Only what this reader looks at: the variables the index describes.
      auto contents = std::make_unique<hdf5::FileContents>();
      contents->path = path;
      const auto& meta = c_.files[file_index];
      for (const auto& [name, info] : meta.variables) {
        if (auto d = c_.indexed->dataset(path, name)) contents->datasets.push_back(std::move(*d));
      }
      tables_[file_index] = std::move(contents);
      return;
    }
    try {
      std::lock_guard lock(netcdf_mutex());
      tables_[file_index] = std::make_unique<hdf5::FileContents>(hdf5::read_chunk_index(path));
    } catch (const Error&) {
      // Not HDF5 (netCDF classic) or unreadable: netCDF-C reads it.
    }
  });
  return tables_[file_index].get();
}

namespace {
// Whether we decode this dataset ourselves; the fallback covers the rest.
bool decodable(const hdf5::Dataset& d, const catalog::FileMetadata& file) {
  if (!d.unsupported.empty() || d.big_endian || d.dims.size() != 3 ||
      d.dims[1] != file.grid.lat.name || d.dims[2] != file.grid.lon.name || d.chunks.empty() ||
      !d.inline_data.empty()) {
    return false;
  }
  for (const auto& f : d.filters) {
    if (f.id != hdf5::kFilterDeflate && f.id != hdf5::kFilterShuffle) return false;
  }
  return true;
}

template <typename T>
void fill_as(double fill, std::byte* dst, size_t n) {
  const T v = static_cast<T>(fill);
  for (size_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(T), &v, sizeof(T));
}

void fill_native(catalog::StorageType t, double fill, std::byte* dst, size_t n,
                 const std::string& where) {
  using catalog::StorageType;
  switch (t) {
    case StorageType::kInt8:
      return fill_as<int8_t>(fill, dst, n);
    case StorageType::kUInt8:
      return fill_as<uint8_t>(fill, dst, n);
    case StorageType::kInt16:
      return fill_as<int16_t>(fill, dst, n);
    case StorageType::kUInt16:
      return fill_as<uint16_t>(fill, dst, n);
    case StorageType::kInt32:
      return fill_as<int32_t>(fill, dst, n);
    case StorageType::kUInt32:
      return fill_as<uint32_t>(fill, dst, n);
    case StorageType::kFloat32:
      return fill_as<float>(fill, dst, n);
    case StorageType::kFloat64:
      return fill_as<double>(fill, dst, n);
    default:
      throw Error(where + ": unwritten chunk of a 64-bit integer variable");
  }
}
}  // namespace

void ChunkReader::read_rows(size_t file_index, const catalog::FileMetadata& file,
                            const std::string& variable, size_t index, size_t r0, size_t r1,
                            const ValueEncoding& encoding, std::byte* out) {
  const auto it = file.variables.find(variable);
  const hdf5::FileContents* contents =
      it == file.variables.end() ? nullptr : table(file_index, file.path);
  const hdf5::Dataset* d = contents ? contents->find(variable) : nullptr;
  const std::string where = file.path + ": variable " + variable;
  if (!d || !decodable(*d, file)) {
    if (d && c_.indexed && io::is_remote(file.path)) {
      throw Error(where + ": " +
                  (d && !d->unsupported.empty() ? d->unsupported
                                                : "not stored as "
                                                  "deflate/shuffle chunks over (time, lat, lon)") +
                  "; convert cannot read it remotely (download the files and convert the folder)");
    }
    ++fallback_;
    store::read_rows(file, variable, index, r0, r1, encoding, out);
    return;
  }
  ++direct_;
  const catalog::Packing& packing = it->second.packing;
  const size_t item = catalog::storage_size(d->type);
  const size_t nx = d->shape[2];
  const size_t ct = d->chunk_shape[0], cy = d->chunk_shape[1], cx = d->chunk_shape[2];
  const auto grid = d->chunk_grid();
  const size_t chunk_elems = ct * cy * cx;
  thread_local std::vector<std::byte> native, inflated, plain;
  thread_local std::vector<std::vector<std::byte>> stored;
  native.resize((r1 - r0) * nx * item);
  inflated.resize(chunk_elems * item);
  plain.resize(chunk_elems * item);
  const auto source = c_.indexed ? c_.indexed->open(file.path) : io::open_file_source(file.path);
  const size_t tchunk = index / ct, tin = index % ct;
  // The band's stored chunks, fetched together.
  std::vector<const hdf5::ChunkRef*> refs;
  for (size_t gy = r0 / cy; gy * cy < r1; ++gy) {
    for (size_t gx = 0; gx < grid[2]; ++gx) {
      refs.push_back(&d->chunks[(tchunk * grid[1] + gy) * grid[2] + gx]);
    }
  }
  if (stored.size() < refs.size()) stored.resize(refs.size());
  std::vector<io::ReadRequest> reads;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (refs[i]->offset == hdf5::kNoStorage) continue;
    stored[i].resize(refs[i]->size);
    reads.push_back({refs[i]->offset, stored[i]});
  }
  source->read_many(reads);
  for (size_t gy = r0 / cy, i = 0; gy * cy < r1; ++gy) {
    for (size_t gx = 0; gx < grid[2]; ++gx, ++i) {
      const auto& ref = *refs[i];
      const std::byte* elems = nullptr;
      if (ref.offset == hdf5::kNoStorage) {
        // Never written: HDF5's fill value (the _FillValue netCDF-C sets).
        fill_native(d->type, d->hdf5_fill.value_or(packing.fill_value.value_or(0.0)), plain.data(),
                    chunk_elems, where);
        elems = plain.data();
      } else {
        // Filters skipped for this chunk (filter mask) are not undone.
        size_t pos = 0;
        bool do_deflate = false, do_shuffle = false;
        for (const auto& f : d->filters) {
          const bool skipped = (ref.filter_mask >> pos++) & 1u;
          if (f.id == hdf5::kFilterDeflate) do_deflate = !skipped;
          if (f.id == hdf5::kFilterShuffle) do_shuffle = !skipped;
        }
        std::span<const std::byte> bytes = stored[i];
        if (do_deflate) {
          try {
            const size_t n = codec::inflate_all(codec::Inflater::kLibdeflate, bytes, inflated);
            if (n != inflated.size()) throw codec::CodecError("short chunk");
          } catch (const Error& e) {
            throw Error(where + ": chunk at byte " + std::to_string(ref.offset) + ": " + e.what());
          }
          bytes = inflated;
        } else if (bytes.size() != inflated.size()) {
          throw Error(where + ": chunk at byte " + std::to_string(ref.offset) +
                      " has the wrong size");
        }
        if (do_shuffle && item > 1) {
          codec::unshuffle_bytes(bytes, plain, item);
          elems = plain.data();
        } else {
          elems = bytes.data();
        }
      }
      // Copy this chunk's rows of [r0, r1) at time slice tin.
      const size_t x0 = gx * cx, xlen = std::min(cx, nx - x0);
      for (size_t y = std::max(r0, gy * cy); y < std::min(r1, (gy + 1) * cy); ++y) {
        const std::byte* src = elems + ((tin * cy + (y - gy * cy)) * cx) * item;
        std::memcpy(native.data() + ((y - r0) * nx + x0) * item, src, xlen * item);
      }
    }
  }
  encoding.encode(native.data(), d->type, packing, (r1 - r0) * nx, out, where);
}

}  // namespace pixeldrill::store

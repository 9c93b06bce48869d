#include "drill/index_values.h"

#include <algorithm>
#include <cstring>

#include "formats/hdf5/chunk_index.h"

namespace pixeldrill::drill::index_values {

using index::Layout;
using index::VarLayout;

double to_double(const std::byte* p, catalog::StorageType type, bool big_endian) {
  std::byte b[8];
  const size_t n = catalog::storage_size(type);
  if (big_endian) {
    for (size_t i = 0; i < n; ++i) b[i] = p[n - 1 - i];
  } else {
    std::memcpy(b, p, n);
  }
  using catalog::StorageType;
  switch (type) {
    case StorageType::kInt8: {
      int8_t v;
      std::memcpy(&v, b, 1);
      return v;
    }
    case StorageType::kUInt8: {
      uint8_t v;
      std::memcpy(&v, b, 1);
      return v;
    }
    case StorageType::kInt16: {
      int16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case StorageType::kUInt16: {
      uint16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case StorageType::kInt32: {
      int32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case StorageType::kUInt32: {
      uint32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case StorageType::kInt64: {
      int64_t v;
      std::memcpy(&v, b, 8);
      return static_cast<double>(v);
    }
    case StorageType::kUInt64: {
      uint64_t v;
      std::memcpy(&v, b, 8);
      return static_cast<double>(v);
    }
    case StorageType::kFloat32: {
      float v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case StorageType::kFloat64: {
      double v;
      std::memcpy(&v, b, 8);
      return v;
    }
  }
  return 0;
}

codec::Pipeline pipeline_of(const VarLayout& v) {
  codec::Pipeline p;
  p.elem_size = catalog::storage_size(v.type);
  for (size_t i = 0; i < v.filters.size(); ++i) {
    const int pos = static_cast<int>(i);
    switch (v.filters[i].id) {
      case formats::hdf5::kFilterShuffle:
        p.shuffle = pos;
        break;
      case formats::hdf5::kFilterDeflate:
        p.deflate = pos;
        break;
      case formats::hdf5::kFilterFletcher32:
        p.fletcher32 = pos;
        break;
    }
  }
  return p;
}

}  // namespace pixeldrill::drill::index_values

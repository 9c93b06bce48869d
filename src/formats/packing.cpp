#include "formats/packing.h"

namespace pixeldrill::formats {

size_t storage_size(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
    case StorageType::kUInt8:
      return 1;
    case StorageType::kInt16:
    case StorageType::kUInt16:
      return 2;
    case StorageType::kInt32:
    case StorageType::kUInt32:
    case StorageType::kFloat32:
      return 4;
    case StorageType::kInt64:
    case StorageType::kUInt64:
    case StorageType::kFloat64:
      return 8;
  }
  return 0;
}

const char* storage_name(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
      return "byte";
    case StorageType::kUInt8:
      return "ubyte";
    case StorageType::kInt16:
      return "short";
    case StorageType::kUInt16:
      return "ushort";
    case StorageType::kInt32:
      return "int";
    case StorageType::kUInt32:
      return "uint";
    case StorageType::kInt64:
      return "int64";
    case StorageType::kUInt64:
      return "uint64";
    case StorageType::kFloat32:
      return "float";
    case StorageType::kFloat64:
      return "double";
  }
  return "?";
}

}  // namespace pixeldrill::formats

#include "store/value_encoding.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <type_traits>

#include "core/error.h"

namespace pixeldrill::store {
using catalog::StorageType;

namespace {
template <typename T>
void store_as(void* out, size_t i, double v) {
  const T x = static_cast<T>(v);
  std::memcpy(static_cast<std::byte*>(out) + i * sizeof(T), &x, sizeof(T));
}

void store_value(void* out, StorageType t, size_t i, double v) {
  switch (t) {
    case StorageType::kInt8:
      return store_as<int8_t>(out, i, v);
    case StorageType::kUInt8:
      return store_as<uint8_t>(out, i, v);
    case StorageType::kInt16:
      return store_as<int16_t>(out, i, v);
    case StorageType::kUInt16:
      return store_as<uint16_t>(out, i, v);
    case StorageType::kInt32:
      return store_as<int32_t>(out, i, v);
    case StorageType::kUInt32:
      return store_as<uint32_t>(out, i, v);
    case StorageType::kInt64:
      return store_as<int64_t>(out, i, v);
    case StorageType::kUInt64:
      return store_as<uint64_t>(out, i, v);
    case StorageType::kFloat32:
      return store_as<float>(out, i, v);
    case StorageType::kFloat64:
      return store_as<double>(out, i, v);
  }
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

const char* kind_name(ValueEncoding::Kind k) {
  switch (k) {
    case ValueEncoding::Kind::kFloat:
      return "float";
    case ValueEncoding::Kind::kPacked:
      return "packed";
    case ValueEncoding::Kind::kInteger:
      return "integer";
  }
  return "float";
}
}  // namespace

bool is_integer(StorageType t) { return t != StorageType::kFloat32 && t != StorageType::kFloat64; }

double type_min(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
      return -128;
    case StorageType::kInt16:
      return -32768;
    case StorageType::kInt32:
      return -2147483648.0;
    case StorageType::kInt64:
      return -9.2233720368547758e18;
    case StorageType::kFloat32:
      return -std::numeric_limits<float>::max();
    case StorageType::kFloat64:
      return -std::numeric_limits<double>::max();
    default:
      return 0;
  }
}

double type_max(StorageType t) {
  switch (t) {
    case StorageType::kInt8:
      return 127;
    case StorageType::kUInt8:
      return 255;
    case StorageType::kInt16:
      return 32767;
    case StorageType::kUInt16:
      return 65535;
    case StorageType::kInt32:
      return 2147483647.0;
    case StorageType::kUInt32:
      return 4294967295.0;
    case StorageType::kInt64:
      return 9.2233720368547758e18;
    case StorageType::kUInt64:
      return 1.8446744073709552e19;
    case StorageType::kFloat32:
      return std::numeric_limits<float>::max();
    case StorageType::kFloat64:
      return std::numeric_limits<double>::max();
  }
  return 0;
}

catalog::Packing ValueEncoding::store_packing() const {
  catalog::Packing p;
  p.type = type;
  if (kind == Kind::kFloat) {
    p.fill_value = std::nan("");
    return p;
  }
  p.fill_value = fill;
  if (kind == Kind::kPacked) {
    p.scale_factor = scale;
    p.add_offset = offset;
  }
  return p;
}

nlohmann::json ValueEncoding::fill_json() const {
  if (kind == Kind::kFloat) return "NaN";
  return static_cast<int64_t>(fill);
}

void ValueEncoding::encode_missing(size_t n, void* out) const {
  const double f = kind == Kind::kFloat ? std::nan("") : fill;
  for (size_t i = 0; i < n; ++i) store_value(out, type, i, f);
}

namespace {
// The conversion loops, typed on the source's storage so the compiler sees
// plain arrays (this runs on every value of the collection).
template <typename S>
void encode_typed(const ValueEncoding& e, const S* src, const catalog::Packing& pk, size_t n,
                  void* out, const std::string& where) {
  using Kind = ValueEncoding::Kind;
  switch (e.kind) {
    case Kind::kFloat:
      if (e.type == StorageType::kFloat32) {
        float* o = static_cast<float*>(out);
        for (size_t i = 0; i < n; ++i)
          o[i] = static_cast<float>(pk.decode(static_cast<double>(src[i])));
      } else {
        for (size_t i = 0; i < n; ++i)
          store_value(out, e.type, i, pk.decode(static_cast<double>(src[i])));
      }
      return;
    case Kind::kPacked: {
      const double lo = type_min(e.type) + 1, hi = type_max(e.type);
      for (size_t i = 0; i < n; ++i) {
        const double v = pk.decode(static_cast<double>(src[i]));
        if (std::isnan(v)) {
          store_value(out, e.type, i, e.fill);
          continue;
        }
        const double q = std::round((v - e.offset) / e.scale);
        if (!(q >= lo && q <= hi)) {
          throw Error(where + ": value " + number(v) + " does not fit the store's packing (" +
                      number(lo * e.scale + e.offset) + " .. " + number(hi * e.scale + e.offset) +
                      "); convert with --mode exact");
        }
        store_value(out, e.type, i, q);
      }
      return;
    }
    case Kind::kInteger:
      if constexpr (std::is_same_v<S, int8_t>) {
        if (e.type == StorageType::kInt8) {
          // quality_level and friends: the common case, kept a straight copy.
          int8_t* o = static_cast<int8_t*>(out);
          const int8_t fill = static_cast<int8_t>(e.fill);
          for (size_t i = 0; i < n; ++i) {
            const double raw = static_cast<double>(src[i]);
            if (pk.is_missing(raw)) {
              o[i] = fill;
            } else if (src[i] == fill) {
              throw Error(where + ": value " + number(raw) + " collides with the store's fill");
            } else {
              o[i] = static_cast<int8_t>(src[i]);
            }
          }
          return;
        }
      }
      for (size_t i = 0; i < n; ++i) {
        const double raw = static_cast<double>(src[i]);
        if (pk.is_missing(raw)) {
          store_value(out, e.type, i, e.fill);
          continue;
        }
        if (raw == e.fill || raw < type_min(e.type) || raw > type_max(e.type)) {
          throw Error(where + ": value " + number(raw) + " collides with the store's fill " +
                      number(e.fill) + " or does not fit " + catalog::storage_name(e.type));
        }
        store_value(out, e.type, i, raw);
      }
      return;
  }
}
}  // namespace

void ValueEncoding::encode(const void* src, StorageType src_type,
                           const catalog::Packing& src_packing, size_t n, void* out,
                           const std::string& where) const {
  switch (src_type) {
    case StorageType::kInt8:
      return encode_typed(*this, static_cast<const int8_t*>(src), src_packing, n, out, where);
    case StorageType::kUInt8:
      return encode_typed(*this, static_cast<const uint8_t*>(src), src_packing, n, out, where);
    case StorageType::kInt16:
      return encode_typed(*this, static_cast<const int16_t*>(src), src_packing, n, out, where);
    case StorageType::kUInt16:
      return encode_typed(*this, static_cast<const uint16_t*>(src), src_packing, n, out, where);
    case StorageType::kInt32:
      return encode_typed(*this, static_cast<const int32_t*>(src), src_packing, n, out, where);
    case StorageType::kUInt32:
      return encode_typed(*this, static_cast<const uint32_t*>(src), src_packing, n, out, where);
    case StorageType::kInt64:
      return encode_typed(*this, static_cast<const int64_t*>(src), src_packing, n, out, where);
    case StorageType::kUInt64:
      return encode_typed(*this, static_cast<const uint64_t*>(src), src_packing, n, out, where);
    case StorageType::kFloat32:
      return encode_typed(*this, static_cast<const float*>(src), src_packing, n, out, where);
    case StorageType::kFloat64:
      return encode_typed(*this, static_cast<const double*>(src), src_packing, n, out, where);
  }
}

nlohmann::json ValueEncoding::to_json() const {
  nlohmann::json j = {{"kind", kind_name(kind)}, {"dtype", catalog::storage_name(type)}};
  if (kind != Kind::kFloat) j["fill"] = fill;
  if (kind == Kind::kPacked) {
    j["scale_factor"] = scale;
    j["add_offset"] = offset;
  }
  return j;
}

ValueEncoding ValueEncoding::from_json(const nlohmann::json& j) {
  ValueEncoding e;
  const std::string kind = j.at("kind").get<std::string>();
  for (Kind k : {Kind::kFloat, Kind::kPacked, Kind::kInteger}) {
    if (kind == kind_name(k)) e.kind = k;
  }
  const std::string dtype = j.at("dtype").get<std::string>();
  bool found = false;
  for (StorageType t :
       {StorageType::kInt8, StorageType::kUInt8, StorageType::kInt16, StorageType::kUInt16,
        StorageType::kInt32, StorageType::kUInt32, StorageType::kInt64, StorageType::kUInt64,
        StorageType::kFloat32, StorageType::kFloat64}) {
    if (dtype == catalog::storage_name(t)) {
      e.type = t;
      found = true;
    }
  }
  if (!found) throw Error("store encoding: unknown dtype '" + dtype + "'");
  e.fill = j.value("fill", 0.0);
  e.scale = j.value("scale_factor", 1.0);
  e.offset = j.value("add_offset", 0.0);
  return e;
}

}  // namespace pixeldrill::store

#pragma once
// Little-endian fixed-width encoding for the index file. Reading checks
// bounds and throws Error on truncated input.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace pixeldrill::index {

class Writer {
 public:
  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
  }
  void raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  const std::string& data() const { return buf_; }

 private:
  std::string buf_;
};

class Reader {
 public:
  Reader(const char* data, size_t size, std::string what)
      : p_(data), end_(data + size), what_(std::move(what)) {}
  uint8_t u8() { return static_cast<uint8_t>(*take(1)); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  int64_t i64() { return get<int64_t>(); }
  double f64() { return get<double>(); }
  std::string str() {
    const uint32_t n = u32();
    const char* s = take(n);
    return std::string(s, n);
  }
  void raw(void* out, size_t n) {
    const char* src = take(n);
    if (n != 0) std::memcpy(out, src, n);  // out may be an empty vector's null data()
  }
  // A count that must fit in what is left, each item taking at least `min_item` bytes.
  size_t count(size_t min_item) {
    const uint64_t n = u64();
    if (min_item && n > static_cast<uint64_t>(end_ - p_) / min_item) truncated();
    return static_cast<size_t>(n);
  }
  bool done() const { return p_ == end_; }
  [[noreturn]] void fail(const std::string& part) const {
    throw Error(what_ + ": index is inconsistent (" + part + ")");
  }

 private:
  template <typename T>
  T get() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  const char* take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) truncated();
    const char* at = p_;
    p_ += n;
    return at;
  }
  [[noreturn]] void truncated() const {
    throw Error(what_ + ": index content is truncated or corrupt");
  }

  const char* p_;
  const char* end_;
  std::string what_;
};

}  // namespace pixeldrill::index

#include "core/utf8.h"

#include <cstdint>

namespace pixeldrill {
namespace {

constexpr std::string_view kHexMark{"\0hex:", 5};

// Length of the valid UTF-8 sequence starting at text[i], or 0 (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
size_t valid_sequence(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  }
  return n;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = valid_sequence(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable_utf8(std::string_view text) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = valid_sequence(text, i);
    if (n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      const auto c = static_cast<uint8_t>(text[i++]);
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string encode_path_for_json(const std::string& path) {
  if (is_valid_utf8(path)) return path;
  static const char* digits = "0123456789abcdef";
  std::string out(kHexMark);
  for (const char ch : path) {
    const auto c = static_cast<uint8_t>(ch);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string decode_path_from_json(const std::string& text) {
  if (text.compare(0, kHexMark.size(), kHexMark) != 0) return text;
  std::string out;
  for (size_t i = kHexMark.size(); i + 1 < text.size(); i += 2) {
    const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return text;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace pixeldrill

#pragma once
// File names on Linux are bytes, JSON text is UTF-8: a path that is not valid
// UTF-8 must neither abort a JSON writer nor silently turn into another name.
#include <string>
#include <string_view>

namespace pixeldrill {

bool is_valid_utf8(std::string_view text);

// For messages and JSON meant for people: each byte that is not part of
// valid UTF-8 becomes the four characters "\xNN".
std::string printable_utf8(std::string_view text);

// A reversible JSON-safe form of a path: valid UTF-8 is unchanged; anything
// else becomes "\0hex:" followed by the bytes in hex (no path contains NUL).
std::string encode_path_for_json(const std::string& path);
// The inverse; text without the "\0hex:" mark is returned unchanged.
std::string decode_path_from_json(const std::string& text);

}  // namespace pixeldrill

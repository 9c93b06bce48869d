#pragma once
// How io/ reads a URI: its scheme ("file" for plain paths) and, for local
// ones, the path.
#include <string>

namespace pixeldrill::io {

// Lower-case scheme before "://", or "file" for a plain path.
std::string scheme_of(const std::string& uri);
// The path of a plain path or file:// URI.
std::string local_path(const std::string& uri);

}  // namespace pixeldrill::io

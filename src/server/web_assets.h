#pragma once
// The built web front end (web/dist, made by `npm run build` at setup time),
// read into memory once at start-up. Serving from memory means no part of a
// request URL is ever joined to a filesystem path, and rebuilding the front
// end needs no C++ rebuild (the reason it is not embedded in the binary).
#include <map>
#include <string>

namespace pixeldrill::server {

// Files under `dir` (relative path -> bytes). An empty `dir` is found from
// $PIXELDRILL_WEB_DIR or beside the binary (../web/dist, ../share/pixeldrill/web).
// Returns an empty map when there is no built front end.
std::map<std::string, std::string> load_web_assets(const std::string& dir);
std::string content_type_for(const std::string& name);

}  // namespace pixeldrill::server

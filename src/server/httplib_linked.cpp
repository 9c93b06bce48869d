// For executables linked with cpp-httplib (tests, bench tools, and the program
// where httplib_lazy.cpp's forwarding is not available): nothing to load.
#include "server/http_library.h"

namespace pixeldrill::server {

void load_http_library() {}

}  // namespace pixeldrill::server

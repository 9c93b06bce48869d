#pragma once

// Where the tests find the pixeldrill binary, the source tree and the shared IMOS fixtures.
// The paths are compiled into one generated source in the build folder (CMake writes
// test_paths.cpp), not into compile definitions: with the checkout's absolute path on every
// test object's command line, ccache could not share them between work trees.
namespace pixeldrill_test_paths {
const char* pixeldrill_bin();
const char* source_dir();
const char* fixtures_dir();
}  // namespace pixeldrill_test_paths

#define PIXELDRILL_BIN (::pixeldrill_test_paths::pixeldrill_bin())
#define PIXELDRILL_SOURCE_DIR (::pixeldrill_test_paths::source_dir())
#define PIXELDRILL_FIXTURES_DIR (::pixeldrill_test_paths::fixtures_dir())

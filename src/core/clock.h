#pragma once
// When a file pixeldrill writes says it was made (date_created, history).
#include <cstdint>

namespace pixeldrill {

// Unix seconds now, or SOURCE_DATE_EPOCH when that is set to a number (the
// reproducible-builds convention), so two runs can write identical files.
int64_t creation_time();

}  // namespace pixeldrill

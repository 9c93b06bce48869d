#pragma once
// The binary encodings shared by the index formats (version 2 payload and
// version 3 sections): axes, layout groups and the per-file variable records.
#include "index/binary_io.h"
#include "index/collection_index.h"

namespace pixeldrill::index::codec_detail {

void put_axis(Writer& w, const catalog::Axis& a);
catalog::Axis get_axis(Reader& r);
void put_layout(Writer& w, const Layout& l);
Layout get_layout(Reader& r);
// Packing, chunk records, inline data and block checksums of each variable.
void put_file_vars(Writer& w, const std::vector<FileVar>& vars);
std::vector<FileVar> get_file_vars(Reader& r);

}  // namespace pixeldrill::index::codec_detail

#pragma once
// The few XML documents pixeldrill reads (S3 ListObjectsV2, THREDDS catalogs)
// are flat and machine-written; these helpers find elements and attributes
// without a DOM and decode the five predefined entities.
#include <string>
#include <string_view>
#include <vector>

namespace pixeldrill::io::xml {

std::string decode_entities(std::string_view text);

// The inner text of every <tag>...</tag> (namespace prefixes ignored) in order.
std::vector<std::string> elements(std::string_view doc, std::string_view tag);

// The start tags <tag ...> (with or without a namespace prefix), as raw text.
std::vector<std::string> start_tags(std::string_view doc, std::string_view tag);

// The decoded value of attribute `name` (any prefix, e.g. xlink:href) in a
// start tag, or "".
std::string attribute(std::string_view start_tag, std::string_view name);

}  // namespace pixeldrill::io::xml

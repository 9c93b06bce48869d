#include "io/xml_scan.h"

namespace pixeldrill::io::xml {
namespace {

// Finds the next start tag named `tag` (any prefix) from `from`; returns the
// position of '<' and sets the full name and end of the start tag.
size_t next_start(std::string_view doc, std::string_view tag, size_t from, std::string* full,
                  size_t* tag_end) {
  for (size_t p = doc.find('<', from); p != std::string_view::npos; p = doc.find('<', p + 1)) {
    if (p + 1 >= doc.size() || doc[p + 1] == '/' || doc[p + 1] == '?' || doc[p + 1] == '!') {
      continue;
    }
    size_t e = p + 1;
    while (e < doc.size() && doc[e] != ' ' && doc[e] != '>' && doc[e] != '/' && doc[e] != '\n' &&
           doc[e] != '\t' && doc[e] != '\r') {
      ++e;
    }
    const std::string_view name = doc.substr(p + 1, e - p - 1);
    const auto colon = name.find(':');
    const std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
    if (local != tag) continue;
    const size_t close = doc.find('>', e);
    if (close == std::string_view::npos) return std::string_view::npos;
    *full = std::string(name);
    *tag_end = close + 1;
    return p;
  }
  return std::string_view::npos;
}

}  // namespace

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
    else if (!ent.empty() && ent[0] == '#') {
      const long code = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                            ? std::stol(std::string(ent.substr(2)), nullptr, 16)
                            : std::stol(std::string(ent.substr(1)));
      if (code < 0x80) out += static_cast<char>(code);  // keys here are ASCII or UTF-8 text
    } else {
      out += std::string(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::vector<std::string> elements(std::string_view doc, std::string_view tag) {
  std::vector<std::string> out;
  std::string full;
  size_t end = 0;
  for (size_t p = next_start(doc, tag, 0, &full, &end); p != std::string_view::npos;
       p = next_start(doc, tag, end, &full, &end)) {
    if (doc[end - 2] == '/') {  // <tag/>
      out.emplace_back();
      continue;
    }
    const size_t close = doc.find("</" + full + ">", end);
    if (close == std::string_view::npos) break;
    out.push_back(decode_entities(doc.substr(end, close - end)));
    end = close;
  }
  return out;
}

std::vector<std::string> start_tags(std::string_view doc, std::string_view tag) {
  std::vector<std::string> out;
  std::string full;
  size_t end = 0;
  for (size_t p = next_start(doc, tag, 0, &full, &end); p != std::string_view::npos;
       p = next_start(doc, tag, end, &full, &end)) {
    out.emplace_back(doc.substr(p, end - p));
  }
  return out;
}

std::string attribute(std::string_view start_tag, std::string_view name) {
  for (size_t p = start_tag.find(name); p != std::string_view::npos;
       p = start_tag.find(name, p + 1)) {
    const char before = p ? start_tag[p - 1] : ' ';
    if (before != ' ' && before != ':' && before != '\n' && before != '\t') continue;
    size_t e = p + name.size();
    while (e < start_tag.size() && start_tag[e] == ' ') ++e;
    if (e >= start_tag.size() || start_tag[e] != '=') continue;
    ++e;
    while (e < start_tag.size() && start_tag[e] == ' ') ++e;
    if (e >= start_tag.size() || (start_tag[e] != '"' && start_tag[e] != '\'')) continue;
    const char quote = start_tag[e];
    const size_t close = start_tag.find(quote, e + 1);
    if (close == std::string_view::npos) return "";
    return decode_entities(start_tag.substr(e + 1, close - e - 1));
  }
  return "";
}

}  // namespace pixeldrill::io::xml

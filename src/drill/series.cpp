#include "drill/series.h"

#include "core/error.h"
#include "drill/query.h"

namespace pixeldrill::drill {

std::string Problem::message() const {
  std::string out = path;
  if (!variable.empty()) out += (out.empty() ? "" : ": ") + std::string("variable ") + variable;
  if (!reason.empty()) out += (out.empty() ? "" : ": ") + reason;
  return out;
}

Problem problem_from_error(const std::string& path, const std::exception& error) {
  std::string reason = error.what();
  if (!path.empty() && reason.starts_with(path + ": ")) reason = reason.substr(path.size() + 2);
  return {path, "", reason};
}

Problem problem_from_message(const std::string& message, const std::string& prefix) {
  // Paths may hold ": " only in the rare case of odd file names; the first
  // separator after the last '/' is the one the writers put there.
  const size_t slash = message.rfind('/');
  const size_t sep = message.find(": ", slash == std::string::npos ? 0 : slash);
  if (sep == std::string::npos) return {"", "", prefix + message};
  return {message.substr(0, sep), "", prefix + message.substr(sep + 2)};
}

bool single_point(const Query& query) {
  return !query.box && query.sites.size() == 1 && query.sites.front().id.empty();
}

void name_single_site(Series& series, const Query& query, const std::string& name) {
  const bool point = single_point(query);
  const bool reduced_box = query.box && query.reduce != Reduce::kNone;
  if (!name.empty() && !point && !reduced_box) {
    throw BadRequest("--name names a single --point or a reduced --box (stations keep their ids)");
  }
  if (!point && name.empty()) return;
  const std::string site = name.empty() ? kPointSite : name;
  for (auto& row : series.rows) {
    if (row.site != site) row.site = site;
  }
}

}  // namespace pixeldrill::drill

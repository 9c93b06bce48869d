#include "catalog/product_key.h"

#include <filesystem>
#include <map>

#include "core/error.h"

namespace pixeldrill::catalog {

std::string product_key(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  size_t digits = 0;
  while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
  if (digits < 8 || digits > 14) return "";
  return "*" + name.substr(digits);
}

void check_single_product(const std::string& spec, const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<const std::string*>> groups;
  for (const auto& p : paths) {
    const std::string key = product_key(p);
    if (!key.empty()) groups[key].push_back(&p);
  }
  if (groups.size() < 2) return;
  std::string msg = spec + ": the collection mixes " + std::to_string(groups.size()) +
                    " products (by GHRSST file name); drilling them as one series would "
                    "interleave them. Pick one with --product NAME (part of the name after the "
                    "date, e.g. the text shown after *) or a glob:";
  for (const auto& [key, files] : groups) {
    msg += "\n  " + key + ": " + std::to_string(files.size()) + " files, e.g. " + *files[0];
    if (files.size() > 1) msg += " and " + *files[1];
  }
  throw BadRequest(msg);
}

std::vector<size_t> select_product(const std::vector<std::string>& paths,
                                   const std::string& wanted) {
  std::vector<size_t> out;
  std::map<std::string, size_t> present;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string key = product_key(paths[i]);
    if (key.empty()) key = std::filesystem::path(paths[i]).filename().string();
    ++present[key];
    if (key.find(wanted) != std::string::npos) out.push_back(i);
  }
  if (out.empty()) {
    std::string list;
    for (const auto& [key, n] : present) {
      if (list.size() > 2000) break;
      list += "\n  " + key + " (" + std::to_string(n) + " files)";
    }
    throw BadRequest("--product " + wanted +
                     ": no file name matches; the collection holds:" + list);
  }
  return out;
}

}  // namespace pixeldrill::catalog

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

void throw_mixed_products(const std::string& spec, const std::vector<ProductCount>& products) {
  std::string msg = spec + ": the collection mixes " + std::to_string(products.size()) +
                    " products (by GHRSST file name); drilling them as one series would "
                    "interleave them. Pick one with --product NAME (part of the name after the "
                    "date, e.g. the text shown after *) or a glob:";
  for (const auto& p : products) {
    msg += "\n  " + p.key + ": " + std::to_string(p.files) + " files";
    if (!p.examples.empty()) msg += ", e.g. " + p.examples[0];
    if (p.examples.size() > 1) msg += " and " + p.examples[1];
  }
  throw BadRequest(msg);
}

void throw_no_product(const std::string& wanted, const std::map<std::string, size_t>& present) {
  std::string list;
  for (const auto& [key, n] : present) {
    if (list.size() > 2000) break;
    list += "\n  " + key + " (" + std::to_string(n) + " files)";
  }
  throw BadRequest("--product " + wanted + ": no file name matches; the collection holds:" + list);
}

void check_single_product(const std::string& spec, const std::vector<std::string>& paths) {
  std::map<std::string, ProductCount> groups;
  for (const auto& p : paths) {
    const std::string key = product_key(p);
    if (key.empty()) continue;
    ProductCount& g = groups[key];
    g.key = key;
    ++g.files;
    if (g.examples.size() < 2) g.examples.push_back(p);
  }
  if (groups.size() < 2) return;
  std::vector<ProductCount> list;
  for (auto& [key, g] : groups) list.push_back(std::move(g));
  throw_mixed_products(spec, list);
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
  if (out.empty()) throw_no_product(wanted, present);
  return out;
}

}  // namespace pixeldrill::catalog

#include "drill/index_summary.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/product_key.h"
#include "drill/index_values.h"
#include "drill/resolve.h"
#include "drill/series.h"

namespace pixeldrill::drill {

using index::Layout;
using index::MappedIndex;
using index::VarLayout;

std::shared_ptr<const DatasetInfo> describe_index(const std::string& path, const MappedIndex& index,
                                                  const std::string& stamp, int64_t mtime) {
  auto info = std::make_shared<DatasetInfo>();
  info->source = path;
  info->kind = "index";
  info->version = stamp;
  info->modified = mtime;
  for (const auto& p : index.problems()) info->problems.push_back(problem_from_message(p));
  if (index.file_count() == 0) return info;
  const auto& layouts = index.layouts();
  const auto& sums = index.summaries();
  auto fingerprint = [&](size_t l) { return index.grids()[layouts[l].grid].fingerprint(); };
  std::map<uint64_t, size_t> counts;
  for (size_t l = 0; l < layouts.size(); ++l) counts[fingerprint(l)] += sums[l].files;
  const uint64_t best = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                          return a.second < b.second;
                        })->first;
  std::vector<size_t> order;
  for (size_t l = 0; l < layouts.size(); ++l) {
    if (sums[l].files > 0 && fingerprint(l) == best) order.push_back(l);
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return sums[a].first_file < sums[b].first_file; });
  std::map<std::string, size_t> seen;
  for (const size_t li : order) {
    const Layout& l = layouts[li];
    if (info->grid.lat.values.empty()) {
      info->grid = index.grids()[l.grid];
      info->time_name = l.time_name;
      info->global_attributes = nlohmann::json::parse(l.global_attrs_json, nullptr, false);
      if (!info->global_attributes.is_object()) info->global_attributes = nlohmann::json::object();
    }
    for (size_t vi = 0; vi < l.vars.size(); ++vi) {
      const VarLayout& v = l.vars[vi];
      if (!l.is_data_variable(v)) continue;
      auto [it, fresh] = seen.try_emplace(v.name, info->variables.size());
      if (fresh) {
        DatasetVariable d;
        d.name = v.name;
        d.type = vi < sums[li].var_types.size() ? sums[li].var_types[vi] : v.type;
        d.attributes = nlohmann::json::parse(v.attrs_json, nullptr, false);
        if (!d.attributes.is_object()) d.attributes = nlohmann::json::object();
        d.column = column_from_attributes(v.name, d.attributes);
        d.chunks = v.chunk_shape;
        const index::FileEntry first = index.file(sums[li].first_file);
        if (vi < first.vars.size()) d.packing = first.vars[vi].packing;
        info->variables.push_back(std::move(d));
      }
      info->variables[it->second].steps_present += sums[li].steps;
    }
  }
  info->times = index.times_where([&](uint32_t l) { return fingerprint(l) == best; });
  return info;
}

ProductFilter::ProductFilter(const MappedIndex& index, const std::string& spec,
                             const std::string& wanted)
    : wanted_(wanted) {
  const auto& products = index.products();
  std::vector<size_t> groups;
  if (wanted.empty()) {
    for (size_t p = 0; p < products.size(); ++p) groups.push_back(p);
  } else {
    keep_.assign(products.size(), false);
    std::map<std::string, size_t> present;
    for (size_t p = 0; p < products.size(); ++p) {
      present[products[p].key] += products[p].files;
      if (products[p].key.find(wanted) == std::string::npos) continue;
      keep_[p] = true;
      groups.push_back(p);
    }
    for (const uint32_t f : index.unnamed_files()) {
      const std::string name = std::filesystem::path(index.path(f)).filename().string();
      ++present[name];
      if (name.find(wanted) != std::string::npos) unnamed_.push_back(f);
    }
    if (groups.empty() && unnamed_.empty()) catalog::throw_no_product(wanted, present);
  }
  if (groups.size() < 2) return;
  std::vector<catalog::ProductCount> list;
  for (const size_t p : groups) {
    catalog::ProductCount c{products[p].key, products[p].files, {}};
    for (const uint32_t f : {products[p].first, products[p].second}) {
      if (f != index::kNoProduct) c.examples.push_back(index.path(f));
    }
    list.push_back(std::move(c));
  }
  catalog::throw_mixed_products(spec, list);
}

bool ProductFilter::keeps(const MappedIndex& index, uint32_t file) const {
  if (wanted_.empty()) return true;
  const uint32_t p = index.product_of(file);
  if (p != index::kNoProduct) return keep_[p];
  return std::binary_search(unnamed_.begin(), unnamed_.end(), file);
}

}  // namespace pixeldrill::drill

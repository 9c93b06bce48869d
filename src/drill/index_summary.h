#pragma once
// What an index drill needs from the whole index before it looks at any file:
// the dataset description (from the per-layout summaries) and the --product
// choice (from the product table). Neither visits the files, so both cost the
// same for 100 files or 100,000.
#include <memory>
#include <string>
#include <vector>

#include "drill/dataset.h"
#include "index/mapped_index.h"

namespace pixeldrill::drill {

// The grid most files share, every time step of those files, the data
// variables of every layout, in the order and with the types of the first
// file (by path) holding them: what describing every file would give.
std::shared_ptr<const DatasetInfo> describe_index(const std::string& path,
                                                  const index::MappedIndex& index,
                                                  const std::string& stamp, int64_t mtime);

// --product keeps the index's files of one GHRSST product; an index still
// holding several is refused (catalog/product_key.h's rules and messages).
class ProductFilter {
 public:
  ProductFilter(const index::MappedIndex& index, const std::string& spec,
                const std::string& wanted);
  bool keeps(const index::MappedIndex& index, uint32_t file) const;

 private:
  std::string wanted_;
  std::vector<bool> keep_;
  std::vector<uint32_t> unnamed_;  // ascending
};

}  // namespace pixeldrill::drill

#include "store/block_parts.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <utility>

#include "core/error.h"

namespace pixeldrill::store::convert_detail {
namespace fs = std::filesystem;

std::vector<std::vector<BlockPart>> share_blocks(const std::vector<Block>& blocks, uint64_t ny,
                                                 uint64_t cy, int ranks) {
  const uint64_t rows = (ny + cy - 1) / cy;
  // prefix[u]: the weight of the first u chunk rows (unit u = block u / rows,
  // chunk row u % rows).
  std::vector<uint64_t> prefix{0};
  for (const Block& b : blocks) {
    for (uint64_t r = 0; r < rows; ++r) {
      prefix.push_back(prefix.back() + b.take * (std::min(ny, (r + 1) * cy) - r * cy));
    }
  }
  const size_t units = prefix.size() - 1;
  const uint64_t total = prefix.back(), n = static_cast<uint64_t>(ranks);
  std::vector<size_t> cuts{0};
  for (uint64_t i = 1; i < n; ++i) {
    // The boundary nearest to i / n of the work (ties: the earlier one).
    const uint64_t target = total * i;
    size_t j = cuts.back();
    while (j < units && prefix[j + 1] * n <= target) ++j;
    if (j < units && prefix[j + 1] * n - target < target - prefix[j] * n) ++j;
    // A block boundary within a quarter of the block's work of the target is
    // taken instead: sharing a block makes both ranks read the source chunks
    // at the cut (a band of each file, a third or more of its bytes) and
    // open all its files, which costs more than that imbalance. Not when
    // shares are smaller than blocks: a quarter of a share at most, and never
    // leaving a rank without work.
    const size_t lo = j / rows * rows, hi = std::min(units, lo + rows);
    const uint64_t block = (prefix[hi] - prefix[lo]) * n;
    auto distance = [&](size_t b) {
      return prefix[b] * n > target ? prefix[b] * n - target : target - prefix[b] * n;
    };
    const size_t edge = distance(hi) < distance(lo) ? hi : lo;
    if (edge > cuts.back() && distance(edge) * 4 <= std::min(block, total)) j = edge;
    cuts.push_back(j);
  }
  cuts.push_back(units);
  std::vector<std::vector<BlockPart>> out(static_cast<size_t>(ranks));
  for (size_t r = 0; r < out.size(); ++r) {
    for (size_t u = cuts[r]; u < cuts[r + 1];) {
      BlockPart part;
      part.block = u / rows;
      part.row_begin = u % rows;
      const size_t block_end = (part.block + 1) * rows;
      const size_t end = std::min<size_t>(cuts[r + 1], block_end);
      part.row_end = part.row_begin + (end - u);
      part.whole = part.row_begin == 0 && part.row_end == rows;
      out[r].push_back(part);
      u = end;
    }
  }
  return out;
}

fs::path part_marker(const fs::path& root, const Block& b, const BlockPart& part) {
  fs::path p = block_marker(root, b);
  p += ".rows-" + std::to_string(part.row_begin) + "-" + std::to_string(part.row_end);
  return p;
}

std::optional<PartMarker> read_part_marker(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  const auto j = nlohmann::json::parse(in, nullptr, false);
  PartMarker m;
  if (j.is_array()) {
    m.skipped = j;
  } else if (j.is_object() && j.contains("skipped") && j.contains("rows") &&
             j["skipped"].is_array() && j["rows"].is_array()) {
    m.skipped = j["skipped"];
    m.rows = j["rows"].get<std::vector<nlohmann::json>>();
  } else {
    return std::nullopt;
  }
  return m;
}

void write_part_marker(const fs::path& path, const PartMarker& marker, bool whole) {
  fs::create_directories(path.parent_path());
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp);
    out << (whole ? marker.skipped
                  : nlohmann::json{{"skipped", marker.skipped}, {"rows", marker.rows}})
               .dump();
    out.flush();
    if (!out.good()) throw Error(path.string() + ": cannot write the block marker");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error(path.string() + ": cannot write the block marker: " + ec.message());
}

nlohmann::json part_records(const std::string& array, uint64_t tc,
                            const ChunkManifestWriter& manifest, size_t entry_begin,
                            size_t entry_end) {
  const auto& all = manifest.records();
  nlohmann::json written = nlohmann::json::array();
  // Entries never written (all fill) are size 0, as a new manifest has them.
  for (size_t e = entry_begin; e < entry_end && e < all.size(); ++e) {
    if (all[e].size > 0) written.push_back({e, all[e].size, all[e].crcs});
  }
  return {{"array", array}, {"row", tc}, {"entries", all.size()}, {"written", written}};
}

void commit_shared_rows(const zarr::Directory& dir, const std::vector<nlohmann::json>& records) {
  // (array, row) -> the records of every part of it.
  std::map<std::pair<std::string, uint64_t>, std::vector<const nlohmann::json*>> rows;
  for (const auto& r : records) {
    rows[{r.at("array").get<std::string>(), r.at("row").get<uint64_t>()}].push_back(&r);
  }
  for (const auto& [key, parts] : rows) {
    const size_t entries = parts.front()->at("entries").get<size_t>();
    ChunkManifestWriter manifest(dir, key.first, key.second, entries);
    for (const auto* part : parts) {
      if (part->at("entries").get<size_t>() != entries) {
        throw Error("convert: ranks disagree on the chunks of " + key.first + " row " +
                    std::to_string(key.second));
      }
      for (const auto& w : part->at("written")) {
        manifest.adopt(w.at(0).get<size_t>(),
                       {w.at(1).get<uint64_t>(), w.at(2).get<std::vector<uint32_t>>()});
      }
    }
    manifest.commit();
  }
}

}  // namespace pixeldrill::store::convert_detail

#include <cstring>
#include <map>

#include "catalog/product_key.h"
#include "codec/block_crc.h"
#include "index/index_codec.h"
#include "index/index_format.h"
#include "index/mapped_index.h"

namespace pixeldrill::index::format {
namespace {

using namespace codec_detail;

std::span<const std::byte> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// The small section decoded on open: everything a query needs before it
// knows which files it touches.
std::string encode_meta(const CollectionIndex& index,
                        const std::vector<std::string>& product_of_file) {
  Writer w;
  w.str(index.collection);
  w.u64(index.grids.size());
  for (const auto& g : index.grids) {
    put_axis(w, g.lat);
    put_axis(w, g.lon);
  }
  w.u64(index.layouts.size());
  for (const auto& l : index.layouts) put_layout(w, l);
  w.u64(index.problems.size());
  for (const auto& p : index.problems) w.str(p);

  std::vector<LayoutSummary> sums(index.layouts.size());
  for (size_t i = 0; i < index.files.size(); ++i) {
    const FileEntry& f = index.files[i];
    if (f.layout >= sums.size()) throw Error("index: file " + f.path + " has no layout group");
    LayoutSummary& s = sums[f.layout];
    if (s.files++ == 0) {
      s.first_file = static_cast<uint32_t>(i);
      for (const auto& v : f.vars) s.var_types.push_back(v.packing.type);
    }
    s.steps += f.times.size();
  }
  w.u64(sums.size());
  for (const auto& s : sums) {
    w.u32(s.first_file);
    w.u64(s.files);
    w.u64(s.steps);
    w.u64(s.var_types.size());
    for (auto t : s.var_types) w.u8(static_cast<uint8_t>(t));
  }

  std::map<std::string, ProductGroup> products;
  std::vector<uint32_t> unnamed;
  for (size_t i = 0; i < index.files.size(); ++i) {
    const auto file = static_cast<uint32_t>(i);
    if (product_of_file[i].empty()) {
      unnamed.push_back(file);
      continue;
    }
    ProductGroup& g = products[product_of_file[i]];
    if (g.files == 0) g.first = file;
    if (g.files == 1) g.second = file;
    ++g.files;
  }
  w.u64(products.size());
  for (const auto& [key, g] : products) {
    w.str(key);
    w.u64(g.files);
    w.u32(g.first);
    w.u32(g.second);
  }
  w.u64(unnamed.size());
  for (uint32_t f : unnamed) w.u32(f);
  return w.data();
}

void align8(std::string& s) { s.resize((s.size() + 7) / 8 * 8, '\0'); }

}  // namespace

std::string encode_v3(const CollectionIndex& index) {
  if (index.files.size() >= UINT32_MAX) throw Error("index: too many files for one index");
  std::vector<std::string> product_of_file;
  std::map<std::string, uint32_t> product_number;
  for (const auto& f : index.files) {
    product_of_file.push_back(catalog::product_key(f.path));
    if (!product_of_file.back().empty()) product_number.emplace(product_of_file.back(), 0);
  }
  uint32_t next = 0;
  for (auto& [key, n] : product_number) n = next++;

  Writer files, strings, times, order_w, data, etags;
  std::vector<TimeOrderRecord> order;
  for (size_t i = 0; i < index.files.size(); ++i) {
    const FileEntry& f = index.files[i];
    if (f.times.size() != f.time_raw.size() && !f.time_raw.empty()) {
      throw Error("index: file " + f.path + " has inconsistent time values");
    }
    FileRecord r{};
    r.path_offset = strings.data().size();
    r.path_length = static_cast<uint32_t>(f.path.size());
    strings.raw(f.path.data(), f.path.size());
    const ETagRecord e{strings.data().size(), static_cast<uint32_t>(f.etag.size()), 0};
    strings.raw(f.etag.data(), f.etag.size());
    etags.raw(&e, sizeof e);
    r.layout = f.layout;
    r.size = f.size;
    r.mtime_ns = f.mtime_ns;
    r.times_offset = times.data().size();
    r.steps = static_cast<uint32_t>(f.times.size());
    std::vector<double> raw = f.time_raw;
    raw.resize(f.times.size(), 0.0);
    times.raw(raw.data(), raw.size() * 8);
    times.raw(f.times.data(), f.times.size() * 8);
    r.product = product_of_file[i].empty() ? kNoProduct : product_number[product_of_file[i]];
    r.data_offset = data.data().size();
    put_file_vars(data, f.vars);
    r.data_length = data.data().size() - r.data_offset;
    files.raw(&r, sizeof r);
    for (int64_t t : f.times) order.push_back({t, static_cast<uint32_t>(i), f.layout});
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.time != b.time ? a.time < b.time : a.file < b.file;
  });
  order_w.raw(order.data(), order.size() * sizeof(TimeOrderRecord));

  const std::string sections[kSectionCount] = {encode_meta(index, product_of_file),
                                               files.data(),
                                               strings.data(),
                                               times.data(),
                                               order_w.data(),
                                               data.data(),
                                               etags.data()};
  const uint64_t body = kHeaderV3 + kSectionCount * kSectionEntry;
  std::string out(body, '\0');
  for (uint32_t k = 0; k < kSectionCount; ++k) {
    align8(out);
    const uint32_t kind = k + 1;
    const uint64_t offset = out.size(), length = sections[k].size();
    char* entry = out.data() + kHeaderV3 + k * kSectionEntry;
    std::memcpy(entry, &kind, 4);
    std::memcpy(entry + 8, &offset, 8);
    std::memcpy(entry + 16, &length, 8);
    out += sections[k];
  }
  align8(out);
  const uint64_t crc_at = out.size();
  std::string crcs;
  for (uint32_t c : codec::block_crcs(as_bytes(std::string_view(out).substr(body)))) {
    crcs.append(reinterpret_cast<const char*>(&c), 4);
  }
  out += crcs;
  const uint32_t version = kVersion3, count = kSectionCount;
  const uint64_t size = out.size();
  const uint32_t crcs_crc = codec::crc32c(as_bytes(crcs));
  std::memcpy(out.data(), kMagic, 8);
  std::memcpy(out.data() + 8, &version, 4);
  std::memcpy(out.data() + 12, &count, 4);
  std::memcpy(out.data() + 16, &size, 8);
  std::memcpy(out.data() + 24, &body, 8);
  std::memcpy(out.data() + 32, &crc_at, 8);
  std::memcpy(out.data() + 40, &crcs_crc, 4);
  const std::string covered =
      out.substr(0, 44) + out.substr(kHeaderV3, kSectionCount * kSectionEntry);
  const uint32_t header_crc = codec::crc32c(as_bytes(covered));
  std::memcpy(out.data() + 44, &header_crc, 4);
  return out;
}

}  // namespace pixeldrill::index::format

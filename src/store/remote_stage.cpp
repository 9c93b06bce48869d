#include "store/remote_stage.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/error.h"
#include "io/registry.h"
#include "io/remote_options.h"

namespace pixeldrill::store {
namespace fs = std::filesystem;
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw Error(path.string() + ": cannot read the staged chunk");
  return bytes;
}

// PIXELDRILL_TEST_CRASH_AFTER_UPLOADS=N: the process dies (as by kill -9)
// once N chunk objects have been uploaded. Tests only.
void maybe_crash(uint64_t uploaded) {
  static const long after = std::atol(env("PIXELDRILL_TEST_CRASH_AFTER_UPLOADS").c_str());
  if (after > 0 && uploaded >= static_cast<uint64_t>(after)) std::_Exit(137);
}

// The key of chunk `entry` (row-major over the dimensions after the first)
// of row `row`.
std::vector<uint64_t> chunk_index(const zarr::ArrayMeta& meta, uint64_t row, size_t entry) {
  const auto grid = meta.chunk_grid();
  std::vector<uint64_t> index(grid.size(), 0);
  index[0] = row;
  for (size_t d = grid.size(); d-- > 1;) {
    index[d] = entry % grid[d];
    entry /= grid[d];
  }
  return index;
}

}  // namespace

fs::path default_work_folder(const std::string& store, const std::string& work_dir) {
  if (!work_dir.empty()) return fs::absolute(work_dir);
  std::string base = env("XDG_CACHE_HOME");
  if (base.empty()) base = env("HOME").empty() ? "/tmp" : env("HOME") + "/.cache";
  std::string name;
  for (char c : store) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return fs::path(base) / "pixeldrill" / "convert" / name;
}

bool remote_holds_other_objects(const std::string& store) {
  const std::string prefix = store + "/";
  for (const auto& object : io::list_objects(prefix)) {
    if (object.uri.rfind(prefix + ".pixeldrill/", 0) != 0) return true;
  }
  return false;
}

RemoteStaging::RemoteStaging(const std::string& store, const std::string& work_dir)
    : work_(default_work_folder(store, work_dir)),
      stage_((work_ / "stage").string(), (work_ / "stage-tmp").string()) {
  if (store.rfind("s3://", 0) != 0) {
    throw BadRequest(store + ": convert writes stores to a local folder or s3://BUCKET/PREFIX");
  }
  std::error_code ec;
  fs::create_directories(work_, ec);
  if (ec) throw Error(work_.string() + ": cannot create the work folder: " + ec.message());
  fs::remove_all(work_ / "stage", ec);
  fs::remove_all(work_ / "stage-tmp", ec);
}

void RemoteStaging::publish(const zarr::Directory& store, const std::string& array,
                            const zarr::ArrayMeta& meta, uint64_t row,
                            ChunkManifestWriter& manifest, bool replacing) {
  if (replacing) manifest.publish_pending();
  const auto& records = manifest.records();
  // Batches of at most `requests` objects and 64 MiB in flight together.
  const size_t width = std::max(1u, io::remote_options().requests_or(io::kDefaultRequests));
  std::vector<io::ObjectUpload> batch;
  size_t batch_bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    io::write_objects(batch);
    uploaded_ += batch.size();
    bytes_ += batch_bytes;
    batch.clear();
    batch_bytes = 0;
    maybe_crash(uploaded_);
  };
  std::vector<std::string> staged;
  for (size_t e = 0; e < records.size(); ++e) {
    const std::string key = array + "/" + zarr::chunk_key(chunk_index(meta, row, e));
    if (records[e].size == 0) {
      // All fill: absent by Zarr's rule. Only an object this row may already
      // hold has to go.
      if (replacing) store.remove(key);
      continue;
    }
    const fs::path file = fs::path(stage_.root()) / key;
    std::string bytes = read_file(file);
    if (bytes.size() != records[e].size) {
      throw Error(file.string() + ": staged chunk is " + std::to_string(bytes.size()) +
                  " bytes, the manifest says " + std::to_string(records[e].size));
    }
    batch_bytes += bytes.size();
    batch.push_back({store.uri(key), std::move(bytes)});
    staged.push_back(file.string());
    if (batch.size() >= width || batch_bytes >= (size_t{64} << 20)) flush();
  }
  flush();
  manifest.commit();
  for (const auto& file : staged) {
    std::error_code ec;
    fs::remove(file, ec);
  }
}

}  // namespace pixeldrill::store

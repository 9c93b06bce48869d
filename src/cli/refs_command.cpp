// `pixeldrill refs COLLECTION|INDEX -o OUT [--combined] [--relative|--prefix URL]`:
// kerchunk references.
#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "index/collection_index.h"
#include "index/indexer.h"
#include "index/kerchunk_refs.h"
#include "io/registry.h"
#include "output/format_number.h"
#include "parallel/communicator.h"

namespace pixeldrill::cli {
namespace {

namespace fs = std::filesystem;

struct RefsArgs {
  std::string source;
  std::string output;
  bool combined = false;
  bool relative = false;
  std::string prefix;
};

// The files' common folder as the template base: a URL prefix (--prefix), a
// path relative to the folder of the reference file (--relative), or as is.
void write_json(nlohmann::json j, const std::string& path, const index::CollectionIndex& idx,
                const RefsArgs& args) {
  if (args.relative || !args.prefix.empty()) {
    const std::string root = index::kerchunk::common_folder(idx);
    std::string base = args.prefix;
    if (args.relative) {
      const fs::path from = fs::absolute(path).parent_path();
      base = fs::path(root).lexically_relative(from).string();
    }
    index::kerchunk::relocate(j, root, base);
  }
  output::write_file_atomically(path, j.dump());
}

// OUT for the only group, OUT-g<N>.json for several.
std::string group_path(const std::string& out, size_t group, size_t groups) {
  if (groups == 1) return out;
  const fs::path p(out);
  return (p.parent_path() / (p.stem().string() + "-g" + std::to_string(group) +
                             (p.has_extension() ? p.extension().string() : ".json")))
      .string();
}

int run_refs(const RefsArgs& args) {
  const bool remote_output = io::is_remote(args.output);
  if (remote_output && args.relative) {
    throw BadRequest("--relative: the output " + args.output +
                     " is remote; give the collection's URL with --prefix instead");
  }
  // Under mpirun the ranks index the files in shares; rank 0 writes the references.
  auto& comm = parallel::world();
  index::CollectionIndex idx;
  if ((io::is_remote(args.source) || fs::is_regular_file(args.source)) &&
      index::is_index_file(args.source)) {
    if (comm.rank() != 0) return kExitOk;
    idx = index::read_index(args.source);
  } else {
    idx = index::build_index(args.source, nullptr, index::IndexOptions{}, nullptr, &comm);
    if (comm.rank() != 0) return kExitOk;
  }
  std::vector<index::kerchunk::RefsWarning> warnings;
  size_t written = 0;
  if (args.combined) {
    const auto groups = index::kerchunk::combinable_groups(idx);
    nlohmann::json listing = nlohmann::json::array();
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string path = group_path(args.output, g, groups.size());
      write_json(index::kerchunk::combined_refs(idx, groups[g], &warnings), path, idx, args);
      std::fprintf(stderr, "%s: %zu files combined along time\n", path.c_str(), groups[g].size());
      int64_t first = INT64_MAX, last = INT64_MIN;
      for (size_t f : groups[g]) {
        for (int64_t t : idx.files[f].times) {
          first = std::min(first, t);
          last = std::max(last, t);
        }
      }
      nlohmann::json entry = {{"refs", fs::path(path).filename().string()},
                              {"files", groups[g].size()}};
      if (first <= last) {
        entry["time_coverage_start"] = format_iso8601(first);
        entry["time_coverage_end"] = format_iso8601(last);
      }
      listing.push_back(std::move(entry));
      ++written;
    }
    // Several layout groups cannot share one zarr array set: OUT names them.
    if (groups.size() > 1) {
      const nlohmann::json index_file = {
          {"pixeldrill_refs_groups", listing},
          {"comment",
           "The collection's files fall into several layout groups (chunking or variables "
           "differ), each combined along time into its own kerchunk reference set listed here, "
           "in the same folder. Open one with xarray.open_zarr(fsspec.get_mapper(\"reference://\", "
           "fo=REFS, remote_protocol=\"file\"), consolidated=False)."}};
      output::write_file_atomically(args.output, index_file.dump(1) + "\n");
      std::fprintf(stderr, "%s: lists the %zu reference sets\n", args.output.c_str(),
                   groups.size());
    }
  } else {
    if (!remote_output) fs::create_directories(args.output);
    for (size_t i = 0; i < idx.files.size(); ++i) {
      const std::string path =
          (fs::path(args.output) / (fs::path(idx.files[i].path).stem().string() + ".json"))
              .string();
      write_json(index::kerchunk::file_refs(idx, i, &warnings), path, idx, args);
      ++written;
    }
    std::fprintf(stderr, "wrote %zu reference files into %s\n", written, args.output.c_str());
  }
  if (const std::string traffic = describe(local_remote_traffic()); !traffic.empty()) {
    std::fprintf(stderr, "remote: %s\n", traffic.c_str());
  }
  for (const auto& w : warnings) std::fprintf(stderr, "  warning: %s\n", w.message.c_str());
  for (const auto& p : idx.problems) std::fprintf(stderr, "  skipped: %s\n", p.c_str());
  return idx.problems.empty() ? kExitOk : kExitPartial;
}

Command make_refs_command(CLI::App& root) {
  auto args = std::make_shared<RefsArgs>();
  CLI::App* app = root.add_subcommand(
      "refs",
      "Write kerchunk (reference spec v1) JSON so fsspec/zarr/xarray read the NetCDF chunks in "
      "place: one file per NetCDF file, or combined along time per layout group");
  add_remote_flags(app);
  app->add_option("SOURCE", args->source, "Collection (folder, glob, file) or index file")
      ->required();
  app->add_option("-o,--output", args->output,
                  "Output folder (per-file refs) or JSON file (--combined; OUT-g<N>.json when "
                  "the collection has several layout groups)")
      ->required();
  app->add_flag("--combined", args->combined,
                "One reference set per layout group, concatenated along time; when packing "
                "differs between files, <var>_scale_factor/<var>_add_offset per time step");
  auto* relative = app->add_flag(
      "--relative", args->relative,
      "Chunk paths relative to the reference file's folder (template {{u}}), so the refs and "
      "the collection can move together; fsspec resolves them from the working directory");
  auto* prefix = app->add_option(
      "--prefix", args->prefix,
      "Chunk paths under this URL or folder instead of the collection's (template {{u}}), "
      "e.g. s3://bucket/ghrsst when the same tree is uploaded there");
  relative->excludes(prefix);
  return Command{app, [args] { return run_refs(*args); }};
}

const bool kRegistered = register_command(32, &make_refs_command);

}  // namespace
}  // namespace pixeldrill::cli

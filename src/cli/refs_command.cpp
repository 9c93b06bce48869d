// `pixeldrill refs COLLECTION|INDEX -o OUT [--combined]`: kerchunk references.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/error.h"
#include "index/collection_index.h"
#include "index/indexer.h"
#include "index/kerchunk_refs.h"
#include "output/format_number.h"
#include "parallel/communicator.h"

namespace pixeldrill::cli {
namespace {

namespace fs = std::filesystem;

struct RefsArgs {
  std::string source;
  std::string output;
  bool combined = false;
};

void write_json(const nlohmann::json& j, const std::string& path) {
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
  // Under mpirun the ranks index the files in shares; rank 0 writes the references.
  auto& comm = parallel::world();
  index::CollectionIndex idx;
  if (fs::is_regular_file(args.source) && index::is_index_file(args.source)) {
    if (comm.rank() != 0) return kExitOk;
    idx = index::read_index(args.source);
  } else {
    idx = index::build_index(args.source, nullptr, {0, true}, nullptr, &comm);
    if (comm.rank() != 0) return kExitOk;
  }
  std::vector<index::kerchunk::RefsWarning> warnings;
  size_t written = 0;
  if (args.combined) {
    const auto groups = index::kerchunk::combinable_groups(idx);
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string path = group_path(args.output, g, groups.size());
      write_json(index::kerchunk::combined_refs(idx, groups[g], &warnings), path);
      std::fprintf(stderr, "%s: %zu files combined along time\n", path.c_str(), groups[g].size());
      ++written;
    }
  } else {
    fs::create_directories(args.output);
    for (size_t i = 0; i < idx.files.size(); ++i) {
      const std::string path =
          (fs::path(args.output) / (fs::path(idx.files[i].path).stem().string() + ".json"))
              .string();
      write_json(index::kerchunk::file_refs(idx, i, &warnings), path);
      ++written;
    }
    std::fprintf(stderr, "wrote %zu reference files into %s\n", written, args.output.c_str());
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
  return Command{app, [args] { return run_refs(*args); }};
}

const bool kRegistered = register_command(32, &make_refs_command);

}  // namespace
}  // namespace pixeldrill::cli

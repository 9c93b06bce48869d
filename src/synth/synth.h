#pragma once
// `pixeldrill synth`: a synthetic collection laid out and encoded like the
// real IMOS GHRSST L3S-1d night archive (see product.h for the eras).
#include <cstdint>
#include <string>
#include <vector>

#include "synth/products.h"

namespace pixeldrill::synth {

struct SynthOptions {
  std::string outdir;
  std::string product = "l3s-1d-night";  // see known_products()
  TimeEncoding time_encoding = TimeEncoding::kIntSeconds1981;
  size_t steps_per_file = 1;  // > 1: consecutive steps share a file (multi-step time axis)
  int64_t from_day = 0;       // days since 1970-01-01, inclusive
  int64_t to_day = 0;
  int decimate = 10;
  std::vector<std::string> vars;  // empty: every variable of the era
  uint64_t seed = 1;
  unsigned threads = 0;  // 0: all cores
  bool gaps = true;      // leave out the deterministic missing days
  bool quiet = false;
};

struct SynthReport {
  size_t files_written = 0;
  std::vector<int64_t> missing_steps;  // Unix seconds of the missing steps' time
  double seconds = 0;
};

// Throws Error naming the offending option (--from/--to, --decimate, --vars).
void validate(const SynthOptions& options);
SynthReport run_synth(const SynthOptions& options);

// Generates one file holding `steps` into `path` (written to a temporary
// name, then renamed).
void synth_file(const SynthOptions& options, const std::vector<Step>& steps,
                const std::string& path);

}  // namespace pixeldrill::synth

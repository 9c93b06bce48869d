#pragma once
// Shortest text that reads back to the same double (std::to_chars), and the
// coordinate variant that prints float32 centres as their float32 text.
#include <cstddef>
#include <string>

#include "drill/series.h"

namespace pixeldrill::output {

// kData: the digits a column's data carries (drill::Digits); kFull: the
// shortest text that reads back to the same double.
enum class Precision { kData, kFull };
Precision parse_precision(const std::string& text);  // "data" or "full"; throws BadRequest

// A column's value as text; empty for NaN.
std::string format_value(double v, const drill::Column& column, Precision precision);

// Empty for NaN (a missing value in CSV).
std::string format_value(double v);
// -32.009998321533203 (a float32 centre widened) prints as -32.01.
std::string format_coordinate(double v);

// The same texts written at `out`, which must hold kNumberMax characters;
// each returns the end (== out for NaN). For writers of long tables: no
// allocation per number.
inline constexpr size_t kNumberMax = 64;
char* write_value(char* out, double v);
char* write_value(char* out, double v, const drill::Column& column, Precision precision);
char* write_coordinate(char* out, double v);

// A column's number format worked out once, for writers of many rows: the
// same text as write_value(out, v, column, precision).
class ValueFormat {
 public:
  ValueFormat(const drill::Column& column, Precision precision);
  char* write(char* out, double v) const;

 private:
  enum class Kind { kShortest, kInteger, kFloat32, kFixed };
  Kind kind_ = Kind::kShortest;
  int decimals_ = 0;  // kFixed
  double scale_ = 1;  // kFixed: 10^decimals_
};

// Writes `text` to `path` through a temporary name in the same folder and a
// rename, so an existing file is never left half-written. Throws Error naming path.
// The data is fsync'ed before the rename, so a full disk is an error, never a short file.
void write_file_atomically(const std::string& path, const std::string& text);
void write_file_atomically(const std::string& path, const void* data, size_t size);
// Writes all of `text` to standard output, throwing Error on a failed write
// (a full disk, /dev/full, a closed pipe).
void write_stdout(const std::string& text);
// A text written piece by piece to standard output ("" or "-") or to a
// file through a temporary name beside it, renamed into place by commit()
// after an fsync. Every write is checked: a failure throws Error naming the
// target, and the temporary is removed (also when the writer is destroyed
// without commit(), e.g. by an exception).
class TextTarget {
 public:
  explicit TextTarget(const std::string& path);
  ~TextTarget();
  TextTarget(const TextTarget&) = delete;
  TextTarget& operator=(const TextTarget&) = delete;
  void write(const void* data, size_t size);
  void write(const std::string& text) { write(text.data(), text.size()); }
  void commit();

 private:
  void fail(int error);
  std::string path_, temp_;
  bool to_stdout_ = false;
  int fd_ = -1;
};
// Throws a BadRequest naming `path` when it is a folder or its folder is missing.
void check_output_path(const std::string& path);
// A temporary name beside `path` for writers that need a path (netCDF-C, gnuplot).
std::string temp_path_beside(const std::string& path);
// Renames `temp` to `path`, throwing Error naming `path` on failure.
void commit_temp(const std::string& temp, const std::string& path);

}  // namespace pixeldrill::output

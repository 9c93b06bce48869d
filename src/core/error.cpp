#include "core/error.h"

namespace pixeldrill {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRequest:
      return "bad request";
    case ErrorKind::kNotFound:
      return "not found";
    case ErrorKind::kNoSuchVariable:
      return "no such variable";
    case ErrorKind::kTooLarge:
      return "too large";
    case ErrorKind::kSourceChanged:
      return "source changed";
    case ErrorKind::kCorrupt:
      return "corrupt data";
    case ErrorKind::kIo:
      return "i/o";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "error";
}

}  // namespace pixeldrill

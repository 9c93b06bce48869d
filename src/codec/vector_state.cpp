#include "codec/vector_state.h"

namespace pixeldrill::codec {

#if defined(__x86_64__)
namespace {
__attribute__((target("avx"))) void vzeroupper() { __builtin_ia32_vzeroupper(); }
}  // namespace

void clear_upper_vector_state() {
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) vzeroupper();
}
#else
void clear_upper_vector_state() {}
#endif

}  // namespace pixeldrill::codec

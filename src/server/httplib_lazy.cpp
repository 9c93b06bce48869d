// The cpp-httplib functions pixeldrill calls, forwarded to the library loaded
// by its SONAME when the server starts (server/http_library.h says why).
//
// They are C++ member functions, so each is defined here under its mangled
// name as a one-instruction x86-64 trampoline, `jmp *slot`: the arguments,
// the return value and exceptions pass through untouched, whatever the
// signature. The slots are filled from dlsym before the first call. The list
// is what the program uses (`nm -uD` of a build linking the library); the
// linker names any function missing from it.
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "core/error.h"
#include "server/http_library.h"

#ifndef PIXELDRILL_HTTPLIB_SONAME
#define PIXELDRILL_HTTPLIB_SONAME "libcpp-httplib.so.0.11"
#endif

// X(index, mangled name)
#define PIXELDRILL_HTTPLIB_FUNCTIONS(X)                                                            \
  X(0, "_ZN7httplib6ServerC1Ev")                                                                   \
  X(1, "_ZN7httplib6ServerD1Ev")                                                                   \
  X(2, "_ZN7httplib6Server10set_loggerESt8functionIFvRKNS_7RequestERKNS_8ResponseEEE")             \
  X(3,                                                                                             \
    "_ZN7httplib6Server12bind_to_portERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEEii")   \
  X(4, "_ZN7httplib6Server15set_tcp_nodelayEb")                                                    \
  X(5,                                                                                             \
    "_ZN7httplib6Server16bind_to_any_portERKNSt7__cxx1112basic_stringIcSt11char_"                  \
    "traitsIcESaIcEEEi")                                                                           \
  X(6, "_ZN7httplib6Server16set_read_timeoutEll")                                                  \
  X(7, "_ZN7httplib6Server17listen_after_bindEv")                                                  \
  X(8, "_ZN7httplib6Server17set_write_timeoutEll")                                                 \
  X(9, "_ZN7httplib6Server22set_keep_alive_timeoutEl")                                             \
  X(10, "_ZN7httplib6Server22set_payload_max_lengthEm")                                            \
  X(11,                                                                                            \
    "_ZN7httplib6Server23set_pre_routing_handlerESt8functionIFNS0_15HandlerResponseERKNS_"         \
    "7RequestERNS_8ResponseEEE")                                                                   \
  X(12, "_ZN7httplib6Server24set_keep_alive_max_countEm")                                          \
  X(13,                                                                                            \
    "_ZN7httplib6Server3GetERKNSt7__cxx1112basic_stringIcSt11char_"                                \
    "traitsIcESaIcEEESt8functionIFvRKNS_7RequestERNS_8ResponseEEE")                                \
  X(14,                                                                                            \
    "_ZN7httplib6Server4PostERKNSt7__cxx1112basic_stringIcSt11char_"                               \
    "traitsIcESaIcEEESt8functionIFvRKNS_7RequestERNS_8ResponseEEE")                                \
  X(15, "_ZN7httplib6Server4stopEv")                                                               \
  X(16,                                                                                            \
    "_ZN7httplib6Server7OptionsERKNSt7__cxx1112basic_stringIcSt11char_"                            \
    "traitsIcESaIcEEESt8functionIFvRKNS_7RequestERNS_8ResponseEEE")                                \
  X(17,                                                                                            \
    "_ZN7httplib8Response10set_headerERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEES8_")  \
  X(18,                                                                                            \
    "_ZN7httplib8Response11set_contentERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEES8_") \
  X(19,                                                                                            \
    "_ZNK7httplib7Request16get_header_valueERKNSt7__cxx1112basic_stringIcSt11char_"                \
    "traitsIcESaIcEEEm")                                                                           \
  X(20, "_ZN7httplib6Server18set_socket_optionsESt8functionIFviEE")                                \
  X(21, "_ZN7httplib22default_socket_optionsEi")

namespace {
constexpr const char* kNames[] = {
#define PIXELDRILL_NAME(i, name) name,
    PIXELDRILL_HTTPLIB_FUNCTIONS(PIXELDRILL_NAME)
#undef PIXELDRILL_NAME
};
constexpr size_t kCount = sizeof kNames / sizeof kNames[0];

// A call before load_http_library() is a bug in pixeldrill: stop at once.
extern "C" [[noreturn]] void pixeldrill_httplib_not_loaded() { std::abort(); }
}  // namespace

// Read by the trampolines below (hence C linkage and "used"); each starts at
// the stub, so a call before loading stops rather than jumping to nowhere.
extern "C" {
__attribute__((used)) void* pixeldrill_httplib_slots[kCount] = {
#define PIXELDRILL_STUB(i, name) reinterpret_cast<void*>(&pixeldrill_httplib_not_loaded),
    PIXELDRILL_HTTPLIB_FUNCTIONS(PIXELDRILL_STUB)
#undef PIXELDRILL_STUB
};
}

#define PIXELDRILL_TRAMPOLINE(i, name)      \
  asm(".text\n"                             \
      ".globl \"" name                      \
      "\"\n"                                \
      ".type \"" name                       \
      "\", @function\n"                     \
      ".p2align 4\n"                        \
      "\"" name                             \
      "\":\n"                               \
      "  jmp *pixeldrill_httplib_slots+" #i \
      "*8(%rip)\n"                          \
      ".size \"" name "\", .-\"" name "\"\n");
PIXELDRILL_HTTPLIB_FUNCTIONS(PIXELDRILL_TRAMPOLINE)
#undef PIXELDRILL_TRAMPOLINE

namespace pixeldrill::server {

void load_http_library() {
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    void* handle = ::dlopen(PIXELDRILL_HTTPLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = ::dlerror();
      error = std::string("cannot load cpp-httplib (") + PIXELDRILL_HTTPLIB_SONAME +
              "), needed by serve: " + (why ? why : "not found");
      return;
    }
    for (size_t i = 0; i < kCount; ++i) {
      void* p = ::dlsym(handle, kNames[i]);
      if (!p) {
        error = std::string("cpp-httplib (") + PIXELDRILL_HTTPLIB_SONAME + ") lacks " + kNames[i];
        return;
      }
      pixeldrill_httplib_slots[i] = p;
    }
  });
  if (!error.empty()) throw Error(error);
}

}  // namespace pixeldrill::server

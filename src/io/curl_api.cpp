#include "io/curl_api.h"

#include <dlfcn.h>

#include <atomic>
#include <mutex>
#include <string>

#include "core/error.h"

#ifndef PIXELDRILL_CURL_SONAME
#define PIXELDRILL_CURL_SONAME "libcurl.so.4"
#endif

namespace pixeldrill::io {
namespace {

std::atomic<bool> g_loaded{false};

CurlApi load() {
  void* h = ::dlopen(PIXELDRILL_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = ::dlerror();
    throw Error(std::string("cannot load libcurl (") + PIXELDRILL_CURL_SONAME +
                "), needed for http(s):// and s3:// sources: " + (why ? why : "not found"));
  }
  auto sym = [h](auto& slot, const char* name) {
    void* p = ::dlsym(h, name);
    if (!p) throw Error(std::string("libcurl (") + PIXELDRILL_CURL_SONAME + ") lacks " + name);
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(p);
  };
  CurlApi a{};
  sym(a.global_init, "curl_global_init");
  sym(a.easy_init, "curl_easy_init");
  sym(a.easy_cleanup, "curl_easy_cleanup");
  sym(a.easy_setopt, "curl_easy_setopt");
  sym(a.easy_getinfo, "curl_easy_getinfo");
  sym(a.easy_strerror, "curl_easy_strerror");
  sym(a.share_init, "curl_share_init");
  sym(a.share_setopt, "curl_share_setopt");
  sym(a.slist_append, "curl_slist_append");
  sym(a.slist_free_all, "curl_slist_free_all");
  sym(a.multi_init, "curl_multi_init");
  sym(a.multi_cleanup, "curl_multi_cleanup");
  sym(a.multi_setopt, "curl_multi_setopt");
  sym(a.multi_add_handle, "curl_multi_add_handle");
  sym(a.multi_remove_handle, "curl_multi_remove_handle");
  sym(a.multi_perform, "curl_multi_perform");
  sym(a.multi_info_read, "curl_multi_info_read");
  sym(a.multi_poll, "curl_multi_poll");
  sym(a.getdate, "curl_getdate");
  g_loaded = true;
  return a;
}

}  // namespace

const CurlApi& curl() {
  // A failed load is retried by the next caller (and reported again).
  static std::atomic<const CurlApi*> ready{nullptr};
  if (const CurlApi* a = ready.load(std::memory_order_acquire)) return *a;
  static std::mutex m;
  static CurlApi api{};
  std::lock_guard lock(m);
  if (!ready.load(std::memory_order_relaxed)) {
    api = load();
    ready.store(&api, std::memory_order_release);
  }
  return api;
}

bool curl_loaded() { return g_loaded; }

}  // namespace pixeldrill::io

#pragma once
// libcurl, loaded on first use (dlopen by SONAME) rather than linked: it
// brings ~28 shared libraries (two TLS stacks, Kerberos, LDAP, SSH, IDN...)
// whose loading and relocation every process start paid, although only
// remote (HTTP/S3) sources use it (docs/store.md, "Process start"). The
// variadic setopt/getinfo are called through pointers of their own variadic
// type, so no forwarding shim is needed. Only types and constants come from
// <curl/curl.h>.
#include <curl/curl.h>

namespace pixeldrill::io {

struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  CURLSH* (*share_init)();
  CURLSHcode (*share_setopt)(CURLSH*, CURLSHoption, ...);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, curl_waitfd[], unsigned, int, int*);
  time_t (*getdate)(const char*, const time_t*);
};

// Loads libcurl the first time; throws Error naming the library when it or
// one of these functions is missing.
const CurlApi& curl();
// Whether libcurl has been loaded (for the start-up test: a local drill must not).
bool curl_loaded();

}  // namespace pixeldrill::io

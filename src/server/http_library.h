#pragma once
// cpp-httplib, which only `serve` uses, is not loaded at process start: built
// with OpenSSL, it brings libssl, libcrypto and brotli and initialises OpenSSL
// before main, half of the start-up cost of every command (docs/store.md,
// "Process start"). The program forwards the httplib functions it calls to
// the library loaded here (httplib_lazy.cpp); the tests and bench tools link
// it and this does nothing (httplib_linked.cpp).
namespace pixeldrill::server {

// Loads cpp-httplib if it is not yet; throws Error naming the library when it
// or one of its functions cannot be found. Call before any httplib function.
void load_http_library();

}  // namespace pixeldrill::server

#pragma once
// netCDF-C and HDF5 (with ~40 libraries they pull in: curl, TLS, Kerberos,
// LDAP, XML ...) are loaded on first use, not at process start: a drill from a
// store or an index never touches them, and loading them cost most of its
// start-up (docs/store.md, "Process start"). The functions pixeldrill calls
// are forwarded by generated shims (scripts/gen_lazy_shims.py).
#include <mutex>
#include <string>

namespace pixeldrill::formats {

class LazyLibrary {
 public:
  LazyLibrary(const char* soname, const char* what) : soname_(soname), what_(what) {}
  // Address of `name` in the library, loading it first; throws Error naming
  // the library when it or the symbol cannot be found.
  void* symbol(const char* name);
  template <typename F>
  F get(const char* name) {
    return reinterpret_cast<F>(symbol(name));
  }
  // Address of a global variable: the executable's copy when it has one
  // (a program that also links the library directly), else the library's.
  void* variable(const char* name);
  bool loaded() const;

 private:
  void* handle();

  const char* soname_;
  const char* what_;
  std::once_flag once_;
  void* handle_ = nullptr;
  std::string error_;
};

LazyLibrary& lazy_netcdf();
LazyLibrary& lazy_hdf5();

}  // namespace pixeldrill::formats

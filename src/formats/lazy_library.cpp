#include "formats/lazy_library.h"

#include <dlfcn.h>

#include "core/error.h"

namespace pixeldrill::formats {

void* LazyLibrary::handle() {
  std::call_once(once_, [this] {
    handle_ = ::dlopen(soname_, RTLD_LAZY | RTLD_LOCAL);
    // HDF5 (loaded here or as netCDF-C's dependency) must not close files at
    // exit: a NetCDF output whose close failed on a full disk made it crash
    // there (SEGV in H5F__close_cb) after the error had been reported. This
    // runs before any HDF5 call initialises the library.
    if (handle_) {
      using DontAtExit = int (*)();
      if (auto f = reinterpret_cast<DontAtExit>(::dlsym(handle_, "H5dont_atexit"))) f();
    }
    if (!handle_) {
      const char* e = ::dlerror();
      error_ = std::string("cannot load ") + soname_ + " (" + what_ + "): " + (e ? e : "unknown");
    }
  });
  if (!handle_) throw Error(error_);
  return handle_;
}

bool LazyLibrary::loaded() const { return handle_ != nullptr; }

void* LazyLibrary::symbol(const char* name) {
  void* h = handle();
  void* p = ::dlsym(h, name);
  if (!p) throw Error(std::string(soname_) + " (" + what_ + ") has no symbol " + name);
  return p;
}

void* LazyLibrary::variable(const char* name) {
  handle();
  if (void* p = ::dlsym(RTLD_DEFAULT, name)) return p;
  return symbol(name);
}

LazyLibrary& lazy_netcdf() {
  static LazyLibrary lib(PIXELDRILL_NETCDF_SONAME, "netCDF-C");
  return lib;
}

LazyLibrary& lazy_hdf5() {
  static LazyLibrary lib(PIXELDRILL_HDF5_SONAME, "HDF5");
  return lib;
}

}  // namespace pixeldrill::formats

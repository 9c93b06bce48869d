#include "formats/hdf5/byte_source_vfd.h"

#include <H5FDpublic.h>

#include <cstring>
#include <exception>
#include <mutex>
#include <string>

#include "formats/lazy_library.h"

namespace pixeldrill::formats::hdf5 {
namespace {

thread_local std::string g_last_error;

struct Config {
  const io::ByteSource* source;
};

struct File {
  H5FD_t pub;  // first: HDF5 casts between the two
  const io::ByteSource* source;
  haddr_t eoa;
};

H5FD_t* vfd_open(const char*, unsigned flags, hid_t fapl, haddr_t) {
  if (flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC)) return nullptr;
  const auto* config = static_cast<const Config*>(H5Pget_driver_info(fapl));
  if (!config || !config->source) return nullptr;
  auto* f = new File{};
  f->source = config->source;
  f->eoa = 0;
  return &f->pub;
}

herr_t vfd_close(H5FD_t* file) {
  delete reinterpret_cast<File*>(file);
  return 0;
}

haddr_t vfd_get_eoa(const H5FD_t* file, H5FD_mem_t) {
  return reinterpret_cast<const File*>(file)->eoa;
}

herr_t vfd_set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t addr) {
  reinterpret_cast<File*>(file)->eoa = addr;
  return 0;
}

haddr_t vfd_get_eof(const H5FD_t* file, H5FD_mem_t) {
  return reinterpret_cast<const File*>(file)->source->size();
}

herr_t vfd_read(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  const auto* f = reinterpret_cast<const File*>(file);
  try {
    const uint64_t total = f->source->size();
    // HDF5 may read past the end of a file (the superblock probe); those
    // bytes read as zeros, as for the sec2 driver.
    const size_t have =
        addr >= total ? 0 : static_cast<size_t>(std::min<uint64_t>(size, total - addr));
    if (have) f->source->read(addr, {static_cast<std::byte*>(buf), have});
    if (have < size) std::memset(static_cast<char*>(buf) + have, 0, size - have);
    return 0;
  } catch (const std::exception& e) {
    g_last_error = e.what();
    return -1;
  }
}

herr_t vfd_write(H5FD_t*, H5FD_mem_t, hid_t, haddr_t, size_t, const void*) { return -1; }

herr_t vfd_query(const H5FD_t*, unsigned long* flags) {
  *flags = H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA;
  return 0;
}

hid_t driver_id() {
  static std::once_flag once;
  static hid_t id = -1;
  std::call_once(once, [] {
    static H5FD_class_t cls{};
    cls.name = "pixeldrill_byte_source";
    cls.maxaddr = HADDR_MAX;
    cls.fc_degree = H5F_CLOSE_WEAK;
    cls.fapl_size = sizeof(Config);
    cls.open = &vfd_open;
    cls.close = &vfd_close;
    cls.query = &vfd_query;
    cls.get_eoa = &vfd_get_eoa;
    cls.set_eoa = &vfd_set_eoa;
    cls.get_eof = &vfd_get_eof;
    cls.read = &vfd_read;
    cls.write = &vfd_write;
    for (auto& m : cls.fl_map) m = H5FD_MEM_DEFAULT;
    id = H5FDregister(&cls);
  });
  return id;
}

}  // namespace

hid_t byte_source_fapl(const io::ByteSource& source) {
  // H5P_FILE_ACCESS names a library global; the library is loaded lazily.
  H5open();
  const hid_t fapl =
      H5Pcreate(*static_cast<const hid_t*>(lazy_hdf5().variable("H5P_CLS_FILE_ACCESS_ID_g")));
  const Config config{&source};
  H5Pset_driver(fapl, driver_id(), &config);
  return fapl;
}

std::string last_byte_source_error() { return g_last_error; }

}  // namespace pixeldrill::formats::hdf5

// Item 14 of issue 10: a faster flip search than one h5ls per flip. Reads
// FILE once; for every offset in [FROM, TO] and every xor mask, a forked
// child opens the damaged bytes as an HDF5 file image (no disk write) and
// walks it as `h5ls -r` does (every link, object info, attribute). Built with
// -fsanitize=address, so ASan's allocator catches an invalid free inside the
// uninstrumented libhdf5; a child that dies with ASan's exit code (99) or a
// signal is kept as OUT/hit-OFFSET-XOR.nc.
//   cc -O1 -fsanitize=address scripts/hdf5_flip_search.c -o flip \
//      $(pkg-config --cflags --libs hdf5) -lhdf5_hl
//   ASAN_OPTIONS=detect_leaks=0:exitcode=99 ./flip FILE FROM TO OUT [START LEN CSUM]
// HDF5's v2 metadata (object headers, B-tree nodes, fractal heap blocks) is
// checksummed, so a plain flip is refused before it is decoded. With START
// LEN CSUM the structure at [START, START+LEN) gets its Jenkins checksum
// (4 bytes at START+CSUM) recomputed after each flip, as HDF5 computes it:
// over the bytes before the checksum when it ends the structure (object
// headers, B-tree nodes), else over the whole block with the field zeroed
// (fractal heap direct blocks). That reaches the decoders.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static herr_t attr_cb(hid_t loc, const char* name, const H5A_info_t* info, void* data) {
  (void)info;
  (void)data;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a >= 0) {
    hid_t t = H5Aget_type(a);
    hid_t s = H5Aget_space(a);
    if (t >= 0) H5Tclose(t);
    if (s >= 0) H5Sclose(s);
    H5Aclose(a);
  }
  return 0;
}

static herr_t visit_cb(hid_t g, const char* name, const H5L_info_t* info, void* data) {
  (void)info;
  (void)data;
  H5O_info_t oi;
  if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_ALL, H5P_DEFAULT) >= 0) {
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o >= 0) {
      H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, attr_cb, NULL);
      H5Oclose(o);
    }
  }
  return 0;
}

static void walk(void* image, size_t size) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5LTopen_file_image(image, size, H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE);
  if (f < 0) return;
  hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
  if (root >= 0) {
    H5Aiterate2(root, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, attr_cb, NULL);
    H5Lvisit(root, H5_INDEX_NAME, H5_ITER_INC, visit_cb, NULL);
    H5Lvisit(root, H5_INDEX_CRT_ORDER, H5_ITER_INC, visit_cb, NULL);
    H5Gclose(root);
  }
  H5Fclose(f);
}

uint32_t H5_checksum_metadata(const void* data, size_t len, uint32_t initval);

static void fix_checksum(unsigned char* block, long len, long csum) {
  uint32_t sum;
  if (csum + 4 == len) {
    sum = H5_checksum_metadata(block, (size_t)csum, 0);
  } else {
    memset(block + csum, 0, 4);
    sum = H5_checksum_metadata(block, (size_t)len, 0);
  }
  memcpy(block + csum, &sum, 4);
}

int main(int argc, char** argv) {
  if (argc != 5 && argc != 8) {
    fprintf(stderr, "usage: %s FILE FROM TO OUT\n", argv[0]);
    return 2;
  }
  FILE* in = fopen(argv[1], "rb");
  if (!in) return 1;
  fseek(in, 0, SEEK_END);
  long size = ftell(in);
  fseek(in, 0, SEEK_SET);
  unsigned char* bytes = malloc(size);
  if (fread(bytes, 1, size, in) != (size_t)size) return 1;
  fclose(in);
  long from = atol(argv[2]), to = atol(argv[3]);
  if (to >= size) to = size - 1;
  long start = argc == 8 ? atol(argv[5]) : -1, len = argc == 8 ? atol(argv[6]) : 0;
  long csum = argc == 8 ? atol(argv[7]) : 0;
  unsigned char* pristine = malloc(size);
  memcpy(pristine, bytes, size);
  const unsigned masks[] = {0xff, 0x01, 0x80, 0x10, 0x04};
  long tried = 0;
  for (long off = from; off <= to; ++off) {
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; ++m) {
      bytes[off] ^= masks[m];
      if (start >= 0) fix_checksum(bytes + start, len, csum);
      pid_t pid = fork();
      if (pid == 0) {
        alarm(5);
        int null = open("/dev/null", 1);
        dup2(null, 2);
        walk(bytes, size);
        _exit(0);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      ++tried;
      int hit = (WIFEXITED(status) && WEXITSTATUS(status) == 99) ||
                (WIFSIGNALED(status) && WTERMSIG(status) != SIGALRM);
      if (hit) {
        char path[4096];
        snprintf(path, sizeof path, "%s/hit-%ld-%u.nc", argv[4], off, masks[m]);
        FILE* out = fopen(path, "wb");
        if (out) {
          fwrite(bytes, 1, size, out);
          fclose(out);
        }
        printf("hit at offset %ld xor 0x%02x (%s %d)\n", off, masks[m],
               WIFSIGNALED(status) ? "signal" : "exit", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        fflush(stdout);
      }
      memcpy(bytes, pristine, size);
    }
    if (off % 1000 == 0) {
      printf("offset %ld, %ld tried\n", off, tried);
      fflush(stdout);
    }
  }
  printf("done: offsets %ld..%ld, %ld tried\n", from, to, tried);
  return 0;
}

// libpixeldrill_mpi.so: the Communicator over MPI, the only code that includes
// mpi.h. Loaded with dlopen by parallel/communicator.cpp when an MPI launcher
// started the process, so pixeldrill itself does not link libmpi. Only the
// main thread calls MPI (MPI_THREAD_FUNNELED).
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "parallel/communicator.h"

namespace {

// MPI counts are int: large messages go in pieces.
constexpr uint64_t kPiece = uint64_t{1} << 30;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw std::runtime_error(std::string("MPI ") + what + " failed: " + std::string(text, len));
  }
}

class MpiCommunicator final : public pixeldrill::parallel::Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "barrier"); }

  std::vector<std::string> gather(const std::string& bytes, int root) override {
    constexpr int kTag = 7301;
    if (rank_ != root) {
      send(bytes, root, kTag);
      return {};
    }
    std::vector<std::string> all(static_cast<size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      if (r == root) {
        all[static_cast<size_t>(r)] = bytes;
      } else {
        all[static_cast<size_t>(r)] = receive(r, kTag);
      }
    }
    return all;
  }

  void broadcast(std::string& bytes, int root) override {
    uint64_t n = bytes.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "broadcast");
    bytes.resize(n);
    for (uint64_t at = 0; at < n; at += kPiece) {
      const int len = static_cast<int>(std::min(kPiece, n - at));
      check(MPI_Bcast(bytes.data() + at, len, MPI_BYTE, root, MPI_COMM_WORLD), "broadcast");
    }
  }

  bool any(bool flag) override {
    int local = flag ? 1 : 0, global = 0;
    check(MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "allreduce");
    return global != 0;
  }

  [[noreturn]] void abort(int code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

  void finalize() override {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }

 private:
  void send(const std::string& bytes, int to, int tag) {
    const uint64_t n = bytes.size();
    check(MPI_Send(&n, 1, MPI_UINT64_T, to, tag, MPI_COMM_WORLD), "send");
    for (uint64_t at = 0; at < n; at += kPiece) {
      const int len = static_cast<int>(std::min(kPiece, n - at));
      check(MPI_Send(bytes.data() + at, len, MPI_BYTE, to, tag, MPI_COMM_WORLD), "send");
    }
  }
  std::string receive(int from, int tag) {
    uint64_t n = 0;
    check(MPI_Recv(&n, 1, MPI_UINT64_T, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
    std::string bytes(n, '\0');
    for (uint64_t at = 0; at < n; at += kPiece) {
      const int len = static_cast<int>(std::min(kPiece, n - at));
      check(
          MPI_Recv(bytes.data() + at, len, MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "receive");
    }
    return bytes;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) pixeldrill::parallel::Communicator*
pixeldrill_mpi_open(char* error, size_t error_size) {
  try {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
    }
    return new MpiCommunicator();
  } catch (const std::exception& e) {
    std::snprintf(error, error_size, "%s", e.what());
    return nullptr;
  }
}

#include "parallel/local_processes.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"

namespace pixeldrill::parallel {
namespace {

// Rank 0 talks to every child over its own socket; children talk only to
// rank 0. Every collective is rooted at rank 0, which is all the commands
// running distributed use (index/index_shares.cpp, parallel/collective.cpp).
class LocalProcesses final : public Communicator {
 public:
  // Rank 0: one socket and pid per child, in rank order.
  LocalProcesses(std::vector<int> sockets, std::vector<pid_t> children)
      : rank_(0),
        size_(static_cast<int>(sockets.size()) + 1),
        sockets_(std::move(sockets)),
        children_(std::move(children)) {}
  // A child: its rank and its socket to rank 0.
  LocalProcesses(int rank, int size, int socket) : rank_(rank), size_(size), sockets_{socket} {}

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void barrier() override {
    std::string none;
    gather(none, 0);
    broadcast(none, 0);
  }

  std::vector<std::string> gather(const std::string& bytes, int root) override {
    rooted(root);
    if (rank_ != 0) {
      send(sockets_[0], bytes, 0);
      return {};
    }
    std::vector<std::string> all{bytes};
    for (size_t i = 0; i < sockets_.size(); ++i) all.push_back(receive(sockets_[i], i + 1));
    return all;
  }

  void broadcast(std::string& bytes, int root) override {
    rooted(root);
    if (rank_ != 0) {
      bytes = receive(sockets_[0], 0);
      return;
    }
    for (size_t i = 0; i < sockets_.size(); ++i) send(sockets_[i], bytes, i + 1);
  }

  bool any(bool flag) override {
    std::string result(1, flag ? '1' : '0');
    for (const auto& f : gather(result, 0)) {
      if (f == "1") result = "1";
    }
    broadcast(result, 0);
    return result == "1";
  }

  [[noreturn]] void abort(int code) override {
    if (rank_ == 0) stop_children(SIGKILL);
    std::_Exit(code);
  }

  void finalize() override {
    for (int s : sockets_) ::close(s);
    sockets_.clear();
    if (rank_ == 0) stop_children(0);
  }

 private:
  void rooted(int root) const {
    if (root != 0) throw std::logic_error("local processes: collectives are rooted at rank 0");
  }

  // Waits for every child (after `signal`, when not 0).
  void stop_children(int signal) {
    for (pid_t pid : children_) {
      if (signal) ::kill(pid, signal);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    children_.clear();
  }

  // A peer that stopped answering ended without reaching the collective (it
  // crashed or was killed): the whole run ends, as an MPI job would.
  [[noreturn]] void lost(size_t peer, const char* doing) {
    std::string who = "rank " + std::to_string(peer) + " of " + std::to_string(size_);
    int code = 1;
    if (rank_ == 0 && peer >= 1 && peer <= children_.size()) {
      int status = 0;
      const pid_t pid = children_[peer - 1];
      if (::waitpid(pid, &status, 0) == pid) {
        if (WIFSIGNALED(status))
          who += " (killed by signal " + std::to_string(WTERMSIG(status)) + ")";
        if (WIFEXITED(status)) {
          who += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
          if (WEXITSTATUS(status) != 0) code = WEXITSTATUS(status);
        }
      }
    }
    std::fprintf(stderr, "pixeldrill: %s of %d: %s ended during a %s; stopping every process\n",
                 rank_name(*this).c_str(), size_, who.c_str(), doing);
    abort(code);
  }

  void send(int socket, const std::string& bytes, size_t peer) {
    const uint64_t n = bytes.size();
    if (!write_all(socket, &n, sizeof n) || !write_all(socket, bytes.data(), bytes.size())) {
      lost(peer, "send");
    }
  }

  std::string receive(int socket, size_t peer) {
    uint64_t n = 0;
    if (!read_all(socket, &n, sizeof n)) lost(peer, "receive");
    std::string bytes(n, '\0');
    if (!read_all(socket, bytes.data(), n)) lost(peer, "receive");
    return bytes;
  }

  static bool write_all(int fd, const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  static bool read_all(int fd, void* data, size_t size) {
    char* p = static_cast<char*>(data);
    while (size > 0) {
      const ssize_t n = ::read(fd, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  int rank_;
  int size_;
  std::vector<int> sockets_;
  std::vector<pid_t> children_;
};

}  // namespace

void start_local_processes(int processes) {
  if (processes <= 1) return;
  if (const int ranks = launched_ranks(); ranks > 0) {
    throw BadRequest("--processes: this run was started by an MPI launcher (" +
                     std::to_string(ranks) +
                     " ranks), which already shares the files; leave "
                     "--processes out");
  }
  if (world_started()) {
    throw Error("--processes: this run already has " + std::to_string(world().size()) +
                " processes (under mpirun, leave --processes out)");
  }
  // Each process takes its share of the cores (core/parallel.h).
  ::setenv("PIXELDRILL_LOCAL_RANKS", std::to_string(processes).c_str(), 1);
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<int> sockets;
  std::vector<pid_t> children;
  for (int rank = 1; rank < processes; ++rank) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      throw Error(std::string("--processes: cannot connect the processes: ") +
                  std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      throw Error(std::string("--processes: cannot start a process: ") + std::strerror(errno));
    }
    if (pid == 0) {
      ::close(pair[0]);
      for (int s : sockets) ::close(s);
      // Only rank 0 draws progress.
      ::setenv("PIXELDRILL_PROGRESS", "0", 1);
      set_world(std::make_unique<LocalProcesses>(rank, processes, pair[1]));
      return;
    }
    ::close(pair[1]);
    sockets.push_back(pair[0]);
    children.push_back(pid);
  }
  set_world(std::make_unique<LocalProcesses>(std::move(sockets), std::move(children)));
}

}  // namespace pixeldrill::parallel

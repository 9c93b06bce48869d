#pragma once
// Real servers on 127.0.0.1 for the remote tests (and for anyone else who
// needs one): moto_server (S3), Debian nginx (HTTP ranges and TLS with a
// certificate made here), and the fault-injecting proxy of
// tests/support/fault_proxy.py. Each picks a free port, waits until it
// answers, and is stopped (by its own pid) when the object dies.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "test_paths.h"

namespace pixeldrill::testing {

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: cannot bind");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A child process in its own process group, killed (group) on destruction.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  pid_t pid() const { return pid_; }
  // Waits up to `limit` for the process to end; false when it is still running.
  bool wait(std::chrono::seconds limit, int* status) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
};

inline void wait_for_port(int port, const ChildProcess& child, const std::string& what,
                          const std::string& log) {
  for (int i = 0; i < 300; ++i) {
    if (port_open(port)) return;
    if (!child.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  throw std::runtime_error(what + " did not start on port " + std::to_string(port) + ": " + text);
}

// moto_server (the image's Python has it on PATH, Debian's does not).
// With `verify_signatures`, moto checks every SigV4 signature against an IAM
// user it creates first (allowed everything); its keys are access_key() and
// secret_key().
class MotoServer {
 public:
  explicit MotoServer(bool verify_signatures = false) : port_(free_port()) {
    std::vector<std::string> argv{"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port_)};
    if (verify_signatures) argv.insert(argv.begin(), {"env", "INITIAL_NO_AUTH_ACTION_COUNT=3"});
    child_ = std::make_unique<ChildProcess>(argv, dir_ / "moto.log");
    wait_for_port(port_, *child_, "moto_server", dir_ / "moto.log");
    if (verify_signatures) {
      // The image's python3 has boto3 (Debian's does not).
      const std::string script =
          "import boto3, json\n"
          "iam = boto3.client('iam', endpoint_url='" +
          endpoint() +
          "', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')\n"
          "iam.create_user(UserName='u')\n"
          "k = iam.create_access_key(UserName='u')['AccessKey']\n"
          "iam.put_user_policy(UserName='u', PolicyName='all', PolicyDocument=json.dumps("
          "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', "
          "'Resource': '*'}]}))\n"
          "print(k['AccessKeyId'], k['SecretAccessKey'])\n";
      std::ofstream(dir_ / "iam.py") << script;
      const std::string cmd = "env -u PYTHONPATH python3 " + (dir_ / "iam.py") + " > " +
                              (dir_ / "keys") + " 2>" + (dir_ / "iam.log");
      if (std::system(cmd.c_str()) != 0) throw std::runtime_error("moto: cannot create IAM user");
      std::ifstream(dir_ / "keys") >> access_key_ >> secret_key_;
    }
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& access_key() const { return access_key_; }
  const std::string& secret_key() const { return secret_key_; }

 private:
  TempDir dir_{"pixeldrill-moto"};
  int port_;
  std::string access_key_, secret_key_;
  std::unique_ptr<ChildProcess> child_;
};

// Debian nginx serving `root` over HTTP and HTTPS (self-signed certificate for
// 127.0.0.1 in cert_file()).
class NginxServer {
 public:
  explicit NginxServer(const std::string& root) : http_(free_port()), https_(free_port()) {
    const std::string d = dir_.str();
    const std::string openssl =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        d + "/key.pem -out " + d + "/cert.pem >" + d + "/openssl.log 2>&1";
    if (std::system(openssl.c_str()) != 0) throw std::runtime_error("openssl failed");
    std::ofstream conf(d + "/nginx.conf");
    conf << "daemon off;\nworker_processes 1;\npid " << d << "/nginx.pid;\n"
         << (::geteuid() == 0 ? "user root;\n" : "") << "error_log " << d << "/error.log;\n"
         << "events { worker_connections 256; }\nhttp {\n"
         << "  log_format conn '$connection $status $bytes_sent \"$request\" \"$http_range\"';\n"
         << "  access_log " << d << "/access.log conn;\n"
         << "  client_body_temp_path " << d << "/t1; proxy_temp_path " << d << "/t2;\n"
         << "  fastcgi_temp_path " << d << "/t3; uwsgi_temp_path " << d << "/t4;\n"
         << "  scgi_temp_path " << d << "/t5;\n  keepalive_requests 10000;\n"
         << "  types { application/xml xml; }\n  default_type application/octet-stream;\n"
         << "  server { listen 127.0.0.1:" << http_ << "; root " << root << "; }\n"
         << "  server { listen 127.0.0.1:" << https_ << " ssl; root " << root << ";\n"
         << "    ssl_certificate " << d << "/cert.pem; ssl_certificate_key " << d
         << "/key.pem; }\n}\n";
    conf.close();
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"nginx", "-c", d + "/nginx.conf", "-p", d, "-e", d + "/error.log"},
        d + "/nginx.out");
    wait_for_port(http_, *child_, "nginx", d + "/error.log");
    wait_for_port(https_, *child_, "nginx", d + "/error.log");
  }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_); }
  std::string https_url() const { return "https://127.0.0.1:" + std::to_string(https_); }
  std::string cert_file() const { return dir_ / "cert.pem"; }
  // One line per request: "CONNECTION STATUS BYTES \"REQUEST LINE\" \"RANGE\"", written
  // once nginx has sent the answer (a client may see the answer first).
  std::string access_log() const { return dir_ / "access.log"; }

 private:
  TempDir dir_{"pixeldrill-nginx"};
  int http_, https_;
  std::unique_ptr<ChildProcess> child_;
};

// tests/support/fault_proxy.py in front of `upstream`: `mode` applies to the
// first `count` requests (count < 0: all), then requests pass through.
class FaultProxy {
 public:
  FaultProxy(const std::string& upstream, const std::string& mode, int count) : port_(free_port()) {
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            "/usr/bin/python3",
            std::string(PIXELDRILL_SOURCE_DIR) + "/tests/support/fault_proxy.py", "--port",
            std::to_string(port_), "--upstream", upstream, "--mode", mode, "--count",
            std::to_string(count)},
        dir_ / "proxy.log");
    wait_for_port(port_, *child_, "fault_proxy", dir_ / "proxy.log");
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Same as starting anew with `mode` and `count`, on the same port.
  // `methods` ("PUT,DELETE"): only those requests get and count the fault.
  void set(const std::string& mode, int count, const std::string& methods = "") const {
    const std::string cmd = "curl -sf -o /dev/null '" + url() + "/__fault?mode=" + mode +
                            "&count=" + std::to_string(count) + "&methods=" + methods + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("fault_proxy: cannot set " + mode);
  }

 private:
  TempDir dir_{"pixeldrill-proxy"};
  int port_;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace pixeldrill::testing

#!/usr/bin/python3
"""A fault-injecting HTTP proxy for pixeldrill's remote tests (Debian python3,
standard library only). Forwards GET/HEAD (and PUT/DELETE with their bodies,
for uploads to moto) to --upstream; the first --count
requests (all when negative) get the --mode fault:

  status:CODE  answer CODE (e.g. 503, 429) with a SlowDown-like body
  reset        send the headers and half the body, then reset the connection
  drop         forward the request, then reset the connection with no answer
  short        claim the full Content-Length, send half, close
  badrange     answer 206 with a Content-Range shifted by one byte
  shortrange   answer 206 with a consistent but shorter Content-Range and body
  stall        send the headers and then nothing for --stall seconds
  drip         send the body in 512-byte pieces with a pause (a slow link)
  delay:MS     wait MS milliseconds before answering (a long round trip)
  pass         no fault

GET /__fault?mode=MODE&count=N[&methods=PUT,DELETE] reconfigures a running
proxy; with `methods`, only requests of those methods get (and count
towards) the fault.
"""
import argparse
import http.client
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
served = [0]


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def fetch(self):
        up = urllib.parse.urlsplit(args.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "expect")}
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else None
        conn.request(self.command, self.path, body=payload, headers=headers)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, [(k, v) for k, v in r.getheaders()
                          if k.lower() not in ("transfer-encoding", "connection")], body

    def send(self, status, headers, body, length=None):
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()

    def handle_one(self):
        if self.path.startswith("/__fault?"):
            # Reconfigure: /__fault?mode=status:503&count=-1 (counting restarts).
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            with lock:
                args.mode = q.get("mode", [args.mode])[0]
                args.count = int(q.get("count", [args.count])[0])
                args.methods = [m for m in q.get("methods", [""])[0].split(",") if m]
                served[0] = 0
            self.send(200, [], b"ok")
            self.wfile.write(b"ok")
            return
        with lock:
            chosen = not args.methods or self.command in args.methods
            served[0] += 1 if chosen else 0
            faulty = chosen and (args.count < 0 or served[0] <= args.count)
        mode = args.mode if faulty else "pass"
        if mode.startswith("delay:"):
            time.sleep(float(mode[6:]) / 1000)
            mode = "pass"
        status, headers, body = self.fetch()
        if mode == "drop":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if self.command == "HEAD":
            if mode.startswith("status:"):
                self.send(int(mode[7:]), [], b"", 0)
            else:
                self.send(status, headers, b"", dict((k.lower(), v) for k, v in headers).get(
                    "content-length", "0"))
            return
        if mode.startswith("status:"):
            msg = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate</Message></Error>"
            self.send(int(mode[7:]), [("Content-Type", "application/xml")], msg)
            self.wfile.write(msg)
        elif mode == "reset":
            self.send(status, headers, body)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
        elif mode == "short":
            self.send(status, headers, body)
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif mode in ("badrange", "shortrange") and status == 206:
            h = [(k, v) for k, v in headers if k.lower() != "content-range"]
            rng = dict((k.lower(), v) for k, v in headers)["content-range"]
            first, rest = rng.split(" ")[1].split("-")
            last, total = rest.split("/")
            if mode == "badrange":
                h.append(("Content-Range", "bytes %d-%d/%s" % (int(first) + 1, int(last) + 1, total)))
                out = body
            else:
                keep = max(1, len(body) // 2)
                h.append(("Content-Range", "bytes %s-%d/%s" % (first, int(first) + keep - 1, total)))
                out = body[:keep]
            self.send(206, h, out)
            self.wfile.write(out)
        elif mode == "stall":
            self.send(status, headers, body)
            self.wfile.flush()
            time.sleep(args.stall)
            self.close_connection = True
        elif mode == "drip":
            self.send(status, headers, body)
            for i in range(0, len(body), 512):
                self.wfile.write(body[i:i + 512])
                self.wfile.flush()
                time.sleep(0.002)
        else:
            self.send(status, headers, body)
            self.wfile.write(body)

    def do_GET(self):
        try:
            self.handle_one()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_HEAD = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--mode", default="pass")
    p.add_argument("--count", type=int, default=-1)
    p.add_argument("--stall", type=float, default=30)
    args = p.parse_args()
    args.methods = []
    ThreadingHTTPServer.daemon_threads = True
    # socketserver's default backlog is 5: more clients connecting at once
    # (index --processes 16, each with requests in flight) lost their SYNs
    # and waited a second for the retransmission, which measured the proxy.
    ThreadingHTTPServer.request_queue_size = 1024
    ThreadingHTTPServer(("127.0.0.1", args.port), Proxy).serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A TCP relay adding a fixed delay to every byte sent towards the server, for
benchmarks where `tc netem` is not permitted (Debian python3, standard
library only).

  delay_relay.py --port P --upstream HOST:PORT --delay-ms 50

Each request (and each new connection) reaches the server --delay-ms later,
so every request/response exchange takes that much longer, as over a link of
that round trip. Answers are moved from socket to socket by splice(2), in the
kernel, without parsing HTTP: the relay costs little CPU, unlike
tests/support/fault_proxy.py, which reads whole bodies in Python and whose
CPU, on the same 2 cores, was a third of what it measured (docs/remote.md).
Not modelled: TCP's window growth over a long round trip.
"""
import argparse
import fcntl
import os
import queue
import socket
import threading
import time

F_SETPIPE_SZ = 1031


def answers(up, client):
    """Upstream to client, through a pipe, never through Python."""
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass
    try:
        while True:
            n = os.splice(up.fileno(), w, 1 << 20)
            if n == 0:
                break
            while n:
                n -= os.splice(r, client.fileno(), n)
    except OSError:
        pass
    finally:
        os.close(r)
        os.close(w)
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def requests(client, up, delay):
    """Client to upstream, each piece sent `delay` after it arrived, in order."""
    due_pieces = queue.Queue()

    def deliver():
        try:
            while True:
                due, data = due_pieces.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                up.sendall(data)
            up.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    sender = threading.Thread(target=deliver, daemon=True)
    sender.start()
    try:
        while True:
            data = client.recv(1 << 16)
            due_pieces.put((time.monotonic() + delay, data or None))
            if not data:
                break
    except OSError:
        due_pieces.put((0, None))
    sender.join()


def handle(client, upstream, delay):
    time.sleep(delay)  # the connection's handshake takes a round trip too
    try:
        up = socket.create_connection(upstream)
    except OSError:
        client.close()
        return
    for s in (client, up):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    back = threading.Thread(target=answers, args=(up, client), daemon=True)
    back.start()
    requests(client, up, delay)
    back.join()
    up.close()
    client.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True, help="HOST:PORT")
    p.add_argument("--delay-ms", type=float, required=True)
    a = p.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", a.port))
    listener.listen(1024)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=handle, args=(client, (host, int(port)), a.delay_ms / 1000.0),
                         daemon=True).start()


if __name__ == "__main__":
    main()

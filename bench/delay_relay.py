#!/usr/bin/python3
"""A TCP relay adding a fixed delay to every byte sent towards the server, for
benchmarks where `tc netem` is not permitted (Debian python3, standard
library only).

  delay_relay.py --port P --upstream HOST:PORT --delay-ms 50

Each request (and each new connection) reaches the server --delay-ms later,
so every request/response exchange takes that much longer, as over a link of
that round trip. Answers are relayed as they come, in large reads, without
parsing HTTP: the relay costs little CPU, unlike tests/support/fault_proxy.py,
which reads whole bodies in Python and whose CPU, on the same 2 cores,
measured itself more than the client (docs/remote.md). Not modelled: TCP's
window growth over a long round trip.
"""
import argparse
import asyncio
import time

CHUNK = 1 << 18


async def pump_delayed(reader, writer, delay):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(CHUNK)
            await queue.put((time.monotonic() + delay, data or None))
            if not data:
                break
    finally:
        await task


async def pump(reader, writer):
    while True:
        data = await reader.read(CHUNK)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()


async def handle(client_reader, client_writer, host, port, delay):
    await asyncio.sleep(delay)  # the connection's handshake takes a round trip too
    try:
        up_reader, up_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    try:
        await asyncio.gather(pump_delayed(client_reader, up_writer, delay),
                             pump(up_reader, client_writer))
    except (ConnectionError, OSError):
        pass
    finally:
        up_writer.close()
        client_writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True, help="HOST:PORT")
    p.add_argument("--delay-ms", type=float, required=True)
    a = p.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    delay = a.delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, host, int(port), delay), "127.0.0.1", a.port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

"""Run the app under waitress, in one process or in several sharing one listening socket.

Searching is pure Python, so one process serves about one core's worth of requests
however many threads it has (the GIL). With ``processes > 1`` the parent binds the
socket, forks that many workers, and each worker builds its own app (and so opens its
own index) and serves the shared socket with waitress; the kernel hands each new
connection to one of them. The parent only waits and forwards Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
from typing import Callable, TextIO

from flask import Flask

__all__ = ["bind", "serve"]


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0 picks a free one).

    :raises OSError: the address is in use or cannot be bound.
    """
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _run_waitress(app: Flask, sock: socket.socket, threads: int) -> None:
    from waitress import create_server

    server = create_server(app, sockets=[sock], threads=threads, ident="cablesearch")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def serve(
    make_app: Callable[[], Flask],
    sock: socket.socket,
    *,
    threads: int = 4,
    processes: int = 1,
    log: TextIO | None = None,
) -> int:
    """Serve ``make_app()`` on the bound ``sock`` until Ctrl-C or SIGTERM.

    :param make_app: builds the app; called in each worker, after the fork.
    :param processes: worker processes (1: serve in this process).
    :param log: where to say that a worker died, if anywhere.
    :returns: the exit status: 0 after a requested stop, 1 if a worker died on its own.
    """
    if processes <= 1:
        _run_waitress(make_app(), sock, threads)
        return 0

    children: set[int] = set()
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # a worker: serve, then leave without running the parent's cleanup
            status = 0
            try:
                signal.signal(signal.SIGTERM, signal.default_int_handler)
                _run_waitress(make_app(), sock, threads)
            except BaseException:  # noqa: BLE001 - a worker must never return into click
                status = 1
            finally:
                os._exit(status)
        children.add(pid)

    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        while children:
            try:
                pid, _ = os.wait()
            except ChildProcessError:
                break
            children.discard(pid)
            if not stopping:
                # A worker died on its own: stop the others rather than serve short-handed.
                if log is not None:
                    print(f"A server process ({pid}) stopped unexpectedly; stopping.", file=log)
                status = 1
                stop(signal.SIGTERM, None)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
    return status

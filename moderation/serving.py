"""How gunicorn's workers send an answer and end a connection (installed by gunicorn.conf.py).

Gunicorn writes an answer's headers and its body with two `sendall` calls, two system calls
for a small JSON answer; :func:`write_at_once` hands both to one call.

Gunicorn 27 closes every connection "gracefully" (RFC 9112, section 9.6): after the answer it
half-closes, then reads until the client closes its side, for up to 2 s, so that a client
whose unread data is still arriving does not get a reset that could truncate the answer. A
sync worker serves nothing meanwhile: each answer holds the worker until the client has
read it and closed, and a client that keeps its connection open holds it for 2 s. Under
`bench/load.py` 5.5% of a worker's sampled time (py-spy) was spent there.

The lingering only matters when the client sent more than the worker read (a body refused
before it was read, with 413, or a pipelined request). So the worker looks, without waiting,
for unread data: when there is none, it closes at once, as gunicorn did before version 27;
when there is some, it lingers and drains as gunicorn does.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from gunicorn import util
from gunicorn.http.wsgi import Response

# gunicorn's own lingering close (27.0); absent from versions that close plainly.
_linger_and_close = getattr(util, "close_graceful", None)


def unread_data(sock: socket.socket) -> bool:
    """Return True when the client sent bytes the worker has not read (never blocks)."""
    timeout = sock.gettimeout()
    try:
        sock.setblocking(False)
        return bool(sock.recv(1, socket.MSG_PEEK))  # b"": the client has closed its side
    except OSError:  # nothing to read yet (BlockingIOError), or reset: nothing to protect
        return False
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)


def close_promptly(sock: socket.socket, *args: Any, **kwargs: Any) -> None:
    """Close at once when nothing is left unread; else linger and drain like gunicorn."""
    if _linger_and_close is not None and unread_data(sock):
        _linger_and_close(sock, *args, **kwargs)
        return
    with contextlib.suppress(OSError):
        sock.close()


class _Collect:
    """Stands in for the socket while gunicorn writes: keeps what it would send."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.parts.append(data)


_write = Response.write


def write_at_once(self: Response, arg: bytes) -> None:
    """gunicorn's ``Response.write``, sending the headers and the first body bytes together.

    gunicorn's own method runs unchanged (its length checks and bookkeeping) against a
    stand-in socket, and what it wrote goes out in one ``sendall``. Later writes, chunked
    answers and anything unusual go straight to gunicorn's method.
    """
    if self.headers_sent or self.chunked or not isinstance(arg, bytes):
        _write(self, arg)
        return
    sock, collect = self.sock, _Collect()
    self.sock = collect
    try:
        _write(self, arg)
    finally:
        self.sock = sock
    sock.sendall(b"".join(collect.parts))


def install() -> None:
    """Make gunicorn's workers write each answer at once and close with :func:`close_promptly`
    (if this gunicorn lingers)."""
    Response.write = write_at_once  # type: ignore[method-assign]
    if _linger_and_close is not None:
        util.close_graceful = close_promptly

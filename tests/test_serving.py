"""How a worker ends a connection (moderation/serving.py), on real TCP sockets."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest
from gunicorn.config import Config
from gunicorn.http import RequestParser
from gunicorn.http.wsgi import Response

from moderation import serving

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected (client, server) pair of TCP sockets on 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=30)
        server, _ = listener.accept()
    server.settimeout(30)
    yield client, server
    client.close()
    server.close()


def close_in_thread(server: socket.socket) -> threading.Thread:
    """Run close_promptly as gunicorn would, lingering up to 600 s if it lingers at all."""
    thread = threading.Thread(target=serving.close_promptly, args=(server, 600.0), daemon=True)
    thread.start()
    return thread


def test_nothing_unread_closes_without_waiting_for_the_client(pair) -> None:
    client, server = pair
    client.sendall(REQUEST)
    assert server.recv(len(REQUEST), socket.MSG_WAITALL) == REQUEST
    server.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    thread = close_in_thread(server)
    thread.join(timeout=30)  # gunicorn's own close would wait 600 s for the client to close
    assert not thread.is_alive()
    assert server.fileno() == -1
    assert client.recv(100).startswith(b"HTTP/1.1 200")
    assert client.recv(100) == b""  # an orderly end (FIN), no reset


def test_unread_bytes_are_drained_so_the_answer_is_not_reset(pair) -> None:
    client, server = pair
    client.sendall(REQUEST + b"x" * 5000)  # more than the worker reads (a refused body)
    assert server.recv(len(REQUEST), socket.MSG_WAITALL) == REQUEST
    server.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n")
    thread = close_in_thread(server)
    # Closing with unread bytes would send a reset, which discards the answer in the
    # client's buffer; lingering drains them and ends with FIN.
    answer = b""
    while chunk := client.recv(100):
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    client.close()  # the lingering worker sees the client's end and closes too
    thread.join(timeout=30)
    assert not thread.is_alive()


class Recorder:
    """A socket that records each sendall (all a gunicorn Response writes with)."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.calls.append(bytes(data))


def gunicorn_response(headers: list[tuple[str, str]]) -> tuple[Response, Recorder]:
    """A gunicorn Response to a parsed GET, writing to a Recorder."""
    cfg = Config()
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        req = next(iter(RequestParser(cfg, b, ("127.0.0.1", 9))))
    sock = Recorder()
    resp = Response(req, sock, cfg)
    resp.start_response("201 CREATED", headers)
    return resp, sock


def without_date(data: bytes) -> bytes:
    return re.sub(rb"Date: [^\r]*\r\n", b"", data)


def test_headers_and_body_leave_in_one_write() -> None:
    body = b'{"id": 1}\n'
    length = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    ours, sent = gunicorn_response(length)
    serving.write_at_once(ours, body)
    theirs, expected = gunicorn_response(length)
    theirs.write(body)  # gunicorn's own: headers, then body
    assert len(sent.calls) == 1 and len(expected.calls) == 2
    assert without_date(sent.calls[0]) == without_date(b"".join(expected.calls))
    assert sent.calls[0].startswith(b"HTTP/1.1 201") and sent.calls[0].endswith(body)
    serving.write_at_once(ours, b"more")  # past Content-Length: gunicorn drops it, as before
    assert len(sent.calls) == 1 and ours.sent == len(body)


def test_chunked_answers_are_left_to_gunicorn() -> None:
    ours, sent = gunicorn_response([("Content-Type", "text/plain")])  # no length: chunked
    serving.write_at_once(ours, b"abc")
    serving.write_at_once(ours, b"def")
    assert ours.chunked and len(sent.calls) >= 3  # headers, then each chunk on its own
    assert b"3\r\nabc\r\n" in b"".join(sent.calls)

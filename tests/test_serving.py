"""How a worker ends a connection (moderation/serving.py), on real TCP sockets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

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


"""Callback URLs that reach non-public addresses are refused, without sending a packet."""

from __future__ import annotations

import socket

import pytest
from flask import Flask
from sqlalchemy import select

from moderation import db, delivery, ssrf
from moderation.cli_webhooks import settings as worker_settings
from moderation.models import Site
from moderation.webhook_models import WebhookDelivery
from moderation.webhooks import rotate_secret
from tests.receiver import Receiver, serve
from tests.test_delivery import events, one

_real_getaddrinfo = socket.getaddrinfo
FAKE_DNS = {
    "localhost": ["127.0.0.1"],
    "rebind.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "v6.example": ["::1"],
    "mixed.example": ["93.184.216.34", "10.0.0.1"],
    "public.example": ["93.184.216.34"],
}

HOSTILE = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://0.0.0.0/hook",
    "http://localhost:5000/hook",
    "http://localhost./hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://10.0.0.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://192.0.2.10/hook",
    "http://198.18.0.1/hook",
    "http://240.0.0.1/hook",
    "http://[2002:7f00:1::]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://[2001::1]/hook",
    "http://rebind.example/hook",
    "http://metadata.example/hook",
    "http://v6.example/hook",
    "http://mixed.example/hook",
    "https://example.org@127.0.0.1/hook",
    "http://user:pass@public.example/hook",
    "ftp://public.example/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "javascript:alert(1)",
    "http:///hook",
    "http://public.example:99999/hook",
    "http://public.example/ho ok",
    "http://exämple.org/hook",
    "http://unknown.example/hook",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Answer DNS from FAKE_DNS and record (and refuse) every connection attempt."""
    connections: list[object] = []

    def getaddrinfo(host, port, *args, **kwargs):
        try:  # IP literals in every spelling the C library accepts: no lookup happens
            return _real_getaddrinfo(host, port, *args, flags=socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        if host not in FAKE_DNS:
            raise socket.gaierror(socket.EAI_NONAME, "unknown host")
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in FAKE_DNS[host]
        ]

    def connect(self, address, *args):
        connections.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return connections


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused(no_network, url: str) -> None:
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.check(url)
    assert no_network == []


def test_a_public_address_passes(no_network) -> None:
    target = ssrf.check("https://public.example/hook?x=1")
    assert str(target.address) == "93.184.216.34"
    assert target.pinned_url() == "https://93.184.216.34:443/hook?x=1"
    assert target.host_header() == "public.example"
    assert no_network == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "http://169.254.169.254/", "http://rebind.example/"]
)
def test_registration_is_refused(runner, site_key, no_network, url: str) -> None:
    result = runner.invoke(args=["sites", "webhook", "lemali", "--callback-url", url])
    assert result.exit_code != 0
    assert "non-public" in result.output
    assert no_network == []


@pytest.mark.usefixtures("keyword_model")
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://[::ffff:10.0.0.1]/", "http://rebind.example/"]
)
def test_delivery_refuses_without_a_packet(app: Flask, client, auth, no_network, url) -> None:
    """A URL stored when it was public (DNS rebinding, old data) is checked again on send."""
    with app.app_context(), db.transaction() as s:
        site = s.scalar(select(Site))
        site.callback_url = url
        rotate_secret(site, app.config["SECRET_KEY"])
    client.post("/api/v1/comments", json=one(), headers=auth)
    with app.app_context():
        conf = worker_settings()
        with delivery.new_client(conf) as http:
            assert delivery.deliver_due(db.session(), http, "w", conf) == 1
        [attempt] = db.session().scalars(select(WebhookDelivery)).all()
    assert attempt.status_code is None and attempt.error.startswith("refused")
    assert no_network == []


@pytest.mark.usefixtures("keyword_model")
def test_connection_is_pinned_to_the_checked_address(app, client, auth, monkeypatch) -> None:
    """The worker connects to the address it vetted (no second lookup to rebind)."""
    monkeypatch.setitem(FAKE_DNS, "hooks.test", ["127.0.0.1"])
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host in FAKE_DNS:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in FAKE_DNS[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with serve(Receiver()) as rx:
        app.config["ALLOW_PRIVATE_CALLBACKS"] = True
        with app.app_context(), db.transaction() as s:
            site = s.scalar(select(Site))
            site.callback_url = f"http://hooks.test:{rx.port}/in"
            rotate_secret(site, app.config["SECRET_KEY"])
        client.post("/api/v1/comments", json=one(), headers=auth)
        with app.app_context():
            conf = worker_settings()
            with delivery.new_client(conf) as http:
                delivery.deliver_due(db.session(), http, "w", conf)
    assert [r.headers["host"] for r in rx.requests] == [f"hooks.test:{rx.port}"]
    # Resolved once, by the check; the connection used the vetted address, not a new lookup.
    assert lookups.count("hooks.test") == 1
    assert events(app)[0].state == "delivered"

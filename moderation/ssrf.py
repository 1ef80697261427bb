"""Refuse callback URLs that reach non-public addresses (SSRF), and pin the checked address.

A callback is checked when it is registered and again right before each delivery, on the
addresses the name resolves to then; the connection then goes to the checked address (see
delivery.py), so a DNS answer that changes between the check and the connect (rebinding)
cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class UnsafeURL(ValueError):
    """The URL is malformed or reaches an address we refuse to call."""


@dataclass(frozen=True)
class Target:
    """A checked callback: where to connect and what to call it."""

    scheme: str
    host: str  # as written in the URL (for Host and TLS SNI)
    port: int
    path: str  # path and query
    address: IPAddress  # the checked address to connect to

    def pinned_url(self) -> str:
        """Return the URL with the host replaced by the checked address."""
        addr = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{addr}:{self.port}{self.path}"

    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (not private, loopback, link-local...)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and not is_public(inner):
            return False
    bad = (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )
    extra = ip in _CGNAT if isinstance(ip, ipaddress.IPv4Address) else ip.is_site_local
    return ip.is_global and not (bad or extra)


def parse(url: str) -> tuple[str, str, int, str]:
    """Split a callback URL into scheme, host, port, path; raise UnsafeURL if malformed."""
    if len(url) > 2000 or not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeURL("the URL must be ASCII, without spaces, at most 2000 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL("malformed URL") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsafeURL("only http and https callbacks are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeURL("credentials in the URL are not allowed")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("the URL has no host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return every address ``host`` resolves to (IP literals resolve to themselves)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeURL(f"cannot resolve {host!r}") from None
    found: list[IPAddress] = []
    for info in infos:
        # A scoped IPv6 address ("fe80::1%eth0") is link-local: the bare address is refused.
        found.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
    if not found:
        raise UnsafeURL(f"cannot resolve {host!r}")
    return found


def check(url: str, *, allow_private: bool = False) -> Target:
    """Resolve and vet ``url``; return where to connect. Every resolved address must pass."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise UnsafeURL(f"{host} resolves to a non-public address ({refused[0]})")
    return Target(scheme, host, port, path, addresses[0])

"""Outgoing HTTP for integrations, guarded against server-side request forgery (SSRF).

Every address the host name resolves to is checked; private, loopback, link-local, multicast, reserved and
unspecified addresses are refused unless ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` is on (an operator setting, off
by default). The connection then goes to the checked address itself — never a second look-up that DNS
rebinding could answer differently — with the host name kept for the ``Host`` header and TLS (SNI and
certificate check). Redirects are not followed; timeouts are short.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext


class UnsafeDestination(Exception):
    """The URL may not be called (scheme, port or address refused). The message says why."""


@dataclass
class HttpResult:
    status: int
    elapsed_ms: int
    body: bytes


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False))


def timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))


def address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why ``ip`` may not be called, or "" when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "a reserved address"
    if ip.is_private or not ip.is_global:
        return "a private address"
    return ""


def resolve_checked(url: str) -> tuple[str, str, int, list[str]]:
    """``(scheme, host, port, safe addresses)`` for ``url``; raises ``UnsafeDestination``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeDestination(gettext("Only http and https URLs can receive webhooks."))
    if parts.username or parts.password:
        raise UnsafeDestination(gettext("Put no user name or password in the URL: the signature authenticates us."))
    host = parts.hostname
    if not host:
        raise UnsafeDestination(gettext("The URL has no host."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination(gettext("The URL's port is not a number between 1 and 65535.")) from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination(
            gettext("The host %(host)s cannot be resolved (%(error)s).") % {"host": host, "error": exc}
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnsafeDestination(gettext("The host %(host)s has no address.") % {"host": host})
    if not allow_private():
        for address in addresses:
            reason = address_refused(ipaddress.ip_address(address.split("%")[0]))
            if reason:
                raise UnsafeDestination(
                    gettext(
                        "%(host)s resolves to %(address)s, %(reason)s: webhooks go to public addresses only "
                        "(an operator can allow private ones with WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)."
                    )
                    % {"host": host, "address": address, "reason": reason}
                )
    return scheme, host, port, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: str, port: int, **kwargs):
        super().__init__(address, port, **kwargs)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked ``address`` while verifying the certificate for ``server_name``."""

    def __init__(self, address: str, port: int, *, server_name: str, **kwargs):
        super().__init__(address, port, context=ssl.create_default_context(), **kwargs)
        self._server_name = server_name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


def post(url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
    """POST ``body`` to ``url`` through the SSRF guard. Raises ``UnsafeDestination`` or ``OSError``."""
    scheme, host, port, addresses = resolve_checked(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    address = addresses[0]
    if scheme == "https":
        connection = _PinnedHTTPSConnection(address, port, server_name=host, timeout=timeout())
    else:
        connection = _PinnedHTTPConnection(address, port, timeout=timeout())
    started = time.monotonic()
    try:
        connection.request("POST", target, body=body, headers={**headers, "Host": host_header})
        response = connection.getresponse()
        data = response.read(4096)
        return HttpResult(response.status, int((time.monotonic() - started) * 1000), data)
    finally:
        connection.close()

"""Connecting to the address the webhook URL check approved, not to what DNS answers next.

The check resolves the clinic's host name and refuses loopback and private
addresses (rehab.alerts.webhook_urls). If the connection then resolved the
name again, a DNS server answering a public address to the check and
127.0.0.1 a moment later (DNS rebinding) would walk the event past it. So the
name is resolved once, and the connection goes to those very addresses:

    with connecting_to(target.url.raw_host, target.addresses):
        client.post(target.url, ...)

Only the TCP connect is redirected, one layer below HTTP: the request still
names the URL's host, so the Host header (HTTP/2's :authority), the TLS SNI
and the certificate check are all for the host name, as on any other request
(a pinned address never turns into an https://<ip>/ URL whose certificate no
one checks against the name). The pin lives in a context variable, so it
holds for this thread's request only; the shared pool serves FCM and APNs
unpinned at the same time.

A kept-alive connection is reused only for the same scheme, host name and
port (httpcore's pool key), and it was opened to an address checked then;
every send checks the name again first, so a name that now resolves to a
private address is refused before any reuse. An egress proxy from the
environment (HTTPS_PROXY) connects in our place and must refuse private
addresses itself.
"""

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpcore
import httpx


@dataclass(frozen=True)
class _Pin:
    host: str
    addresses: tuple[str, ...]


_pin: ContextVar[_Pin | None] = ContextVar("webhook_pin", default=None)


@contextmanager
def connecting_to(host: bytes | str, addresses: tuple[str, ...]) -> Iterator[None]:
    """While inside, a new connection to `host` goes to one of `addresses`, and to no other host.

    No addresses (local settings, which resolve nothing to check) leaves
    connections as they are.
    """
    if not addresses:
        yield
        return
    name = host.decode("ascii") if isinstance(host, bytes) else host
    token = _pin.set(_Pin(host=name, addresses=tuple(addresses)))
    try:
        yield
    finally:
        _pin.reset(token)


class PinnedBackend(httpcore.SyncBackend):
    """httpcore's socket layer, but a pinned host connects to its pinned addresses, in order."""

    def connect_tcp(self, host: str, port: int, timeout=None, local_address=None, socket_options=None):
        pin = _pin.get()
        if pin is None:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        if host != pin.host:
            raise httpcore.ConnectError(f"{host} is not the host whose address was checked ({pin.host})")
        last_error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in pin.addresses:
            try:
                # An IP literal: socket.create_connection resolves nothing more.
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport over PinnedBackend, with httpx's defaults (pool limits, HTTP/2, certifi).

    httpx.HTTPTransport takes no network backend, and keeps everything it
    sends in its one pool (`_pool`); the pool is built here the same way,
    given the pinning backend. tests/alerts/test_webhook_pinning.py fails if
    an httpx upgrade stops sending through it.
    """

    def __init__(self, *, verify: ssl.SSLContext | str | bool = True, http2: bool = True):
        super().__init__(verify=verify, http2=http2)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            # httpx's defaults (httpcore's own keep idle connections forever).
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=http2,
            network_backend=PinnedBackend(),
        )

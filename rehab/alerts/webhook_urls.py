"""Which clinic webhook URLs the backend may call.

Production refuses anything but https to a public address: a webhook URL is
typed by a clinic admin, and must not let them make the server call its own
loopback, the cloud metadata service or the private network. The check runs
when the URL is saved and again before every send (DNS can change in between),
and the send connects to the addresses that second check approved.

The URL is parsed by httpx, the library the webhook is sent with, and the
sender posts to the very `httpx.URL` checked here: two parsers disagree on
odd URLs (urllib.parse and urllib3 split `https://127.0.0.1\\@public.example/`
at different places), and any such disagreement lets a URL pass the check as
one host and connect to another. What any parser might read two ways (a
backslash, user-info) is refused outright.
"""

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class WebhookTarget:
    """A URL the backend may post to, as the sender will read it.

    `addresses` are those the host resolved to when checked (empty where
    private addresses are allowed and nothing was resolved). The sender
    connects to exactly these (channels.pinning), so DNS that changes between
    the check and the connection cannot lead it elsewhere.
    """

    url: httpx.URL
    addresses: tuple[str, ...] = ()


def webhook_url_validate(url: str) -> WebhookTarget:
    """Raise ValidationError unless the backend may POST alert events to `url`."""
    parsed = _parsed(url)
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return WebhookTarget(url=parsed)
    if parsed.scheme != "https":
        raise ValidationError("The webhook URL must use https.", code="https_required")
    # raw_host is what the transport connects to: IDNA-encoded, IPv6 without brackets.
    addresses = _addresses_of(parsed.raw_host, parsed.port or DEFAULT_PORTS[parsed.scheme])
    for address in addresses:
        if not _is_public(address):
            raise ValidationError(
                "The webhook URL resolves to a loopback, private or reserved address.", code="private_address"
            )
    return WebhookTarget(url=parsed, addresses=addresses)


def _parsed(url: str) -> httpx.URL:
    if "\\" in url:
        raise ValidationError("The webhook URL must not contain a backslash.", code="invalid_url")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValidationError(f"The webhook URL is not a valid URL: {exc}", code="invalid_url") from exc
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host:
        raise ValidationError("The webhook URL must be an http(s) URL with a host.", code="invalid_url")
    if parsed.userinfo:
        raise ValidationError("The webhook URL must not carry a user name or password.", code="userinfo_not_allowed")
    # httpx reads any digits as a port; the socket layer would fail on these only when sending.
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ValidationError("The webhook URL's port must be between 1 and 65535.", code="invalid_port")
    return parsed


def _addresses_of(host: bytes, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host.decode("ascii"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError("The webhook URL's host does not resolve.", code="unresolvable_host") from exc
    return tuple(sorted({info[4][0] for info in infos}))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)

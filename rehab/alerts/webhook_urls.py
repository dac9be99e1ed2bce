"""Which clinic webhook URLs the backend may call.

Production refuses anything but https to a public address: a webhook URL is
typed by a clinic admin, and must not let them make the server call its own
loopback, the cloud metadata service or the private network. The check runs
when the URL is saved and again before every send (DNS can change in between).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def webhook_url_validate(url: str) -> None:
    """Raise ValidationError unless the backend may POST alert events to `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("The webhook URL must be an http(s) URL with a host.", code="invalid_url")
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    if parts.scheme != "https":
        raise ValidationError("The webhook URL must use https.", code="https_required")
    for address in _addresses_of(parts.hostname, parts.port or 443):
        if not _is_public(address):
            raise ValidationError(
                "The webhook URL resolves to a loopback, private or reserved address.", code="private_address"
            )


def _addresses_of(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError("The webhook URL's host does not resolve.", code="unresolvable_host") from exc
    return sorted({info[4][0] for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)

"""The client's address: the one answer the sign-in lock-out, the throttles and the audit trail all use.

X-Forwarded-For is a list anyone can write: each proxy appends the address it received the
request from, and a client may send any entries it likes in front. So the header is read from
the right, one hop at a time, and only while the hop that wrote the next entry is trusted: one of
the nearest TRUSTED_PROXY_COUNT hops, or an address in TRUSTED_PROXY_NETWORKS. The first address
reached that is not trusted is the client's. With neither set (the default) the header is
ignored and the client is the connection's peer, REMOTE_ADDR.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request) -> str | None:
    """The client's address as text (None if the server gave none); AXES_CLIENT_IP_CALLABLE too."""
    peer = _parsed(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [peer, *(_parsed(entry) for entry in reversed(forwarded.split(",")))] if forwarded else [peer]
    count, networks = settings.TRUSTED_PROXY_COUNT, trusted_networks(tuple(settings.TRUSTED_PROXY_NETWORKS))
    client = peer
    for distance, hop in enumerate(hops):
        client = hop
        trusted = distance < count or any(hop.version == n.version and hop in n for n in networks)
        if not trusted or distance + 1 == len(hops) or hops[distance + 1] is None:
            break  # what a trusted proxy wrote that is no address ends the walk at that proxy
    return str(client)


@lru_cache(maxsize=8)
def trusted_networks(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXY_NETWORKS parsed; the settings check the same way at start-up."""
    try:
        return tuple(ipaddress.ip_network(str(n).strip(), strict=False) for n in networks)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {exc}") from exc


def _parsed(entry: str) -> Address | None:
    """An address as a proxy may write it (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`), or None."""
    text = entry.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port; an IPv6 address has several colons
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id names no other host
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; they are one client either way.
    return address.ipv4_mapped or address if address.version == 6 else address

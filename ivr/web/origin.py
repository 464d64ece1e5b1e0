"""Who is on the other end: the peer's address, or, when the peer is a configured reverse
proxy, the client its ``X-Forwarded-For`` names.

Only proxies listed in [api] trusted_proxies are believed, and only for the hops they added:
the header is read from the right, skipping trusted proxies, and the first address that is
not one is the client. A header sent by anyone else is ignored (it is the client's to forge).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from aiohttp import web

from ivr.config.audit import IpNetwork

TRUSTED_PROXIES = web.AppKey("trusted_proxies", tuple)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(text: str, proxies: Sequence[IpNetwork]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[IpNetwork]) -> str:
    """The client's address given the peer and every X-Forwarded-For header (pure)."""
    if not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        if _address(hop) is None:
            return peer  # a garbled header: the last trusted address is all we know
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def client_origin(request: web.Request) -> str:
    proxies: tuple[IpNetwork, ...] = request.app.get(TRUSTED_PROXIES, ())
    peer = request.remote or "-"
    return client_address(peer, request.headers.getall("X-Forwarded-For", []), proxies)

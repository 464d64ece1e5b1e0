"""Where each profile's legal notice page is: the default profile's at ``http.public_url``,
every other one's at the same address with ``profile=<name>`` in its query, so the address a
caller hears under a profile leads to that profile's page (its controller, purposes, rights)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def profile_url(public_url: str, profile: str, default_profile: str) -> str:
    if profile == default_profile:
        return public_url
    parts = urlsplit(public_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "profile"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("profile", profile)])))


def spoken(url: str) -> str:
    """The address as it is read out: no scheme, no trailing slash."""
    parts = urlsplit(url)
    said = (parts.netloc + parts.path).rstrip("/")
    return f"{said}?{parts.query}" if parts.query else said

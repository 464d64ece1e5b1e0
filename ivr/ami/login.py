"""How the client proves who it is, and over what: plain or MD5 challenge login, TCP or TLS.

Plain login sends the secret as it is; anyone on the path reads it. With MD5 challenge login
(``Action: Challenge``, then ``Login`` with ``Key = md5(challenge + secret)``) the secret never
crosses the link, and a captured key is worthless for the next login (a new challenge each
time); MD5's weakness as a hash does not help an eavesdropper recover a long random secret.
TLS protects everything after the login too (the callers' numbers in every event).
"""

from __future__ import annotations

import hashlib
import ssl
from enum import StrEnum
from pathlib import Path


class Auth(StrEnum):
    PLAIN = "plain"
    MD5 = "md5"


def md5_key(challenge: str, secret: str) -> str:
    """The ``Key`` of an MD5 login, as Asterisk's manager.c computes it."""
    return hashlib.md5((challenge + secret).encode(), usedforsecurity=False).hexdigest()


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A client context that checks the PBX's certificate: against ``ca_file`` (a private CA or
    the PBX's self-signed certificate) or the system's trusted CAs."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context

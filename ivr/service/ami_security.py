"""How the service's AMI links log in and over what, from [ami] auth, tls and ca_file: the
control link, the tone links and the doctor's check all use the same."""

from __future__ import annotations

import ssl

from ivr.ami.login import Auth, tls_context
from ivr.config.model import AmiSettings


def link_security(ami: AmiSettings) -> tuple[Auth, ssl.SSLContext | None]:
    """The login (plain or MD5 challenge) and the TLS context (None: plain TCP)."""
    return Auth(ami.auth), tls_context(ami.ca_file) if ami.tls else None

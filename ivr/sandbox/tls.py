"""The sandbox PBX's AMI over TLS: a self-signed certificate for 127.0.0.1, made once per
instance, which clients (tests, ``ivr run --sandbox``) trust as their CA file."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ivr.sandbox.private import write_private

CERT_FILE = "ami-tls.crt"
KEY_FILE = "ami-tls.key"
VALID_DAYS = 3650


def ensure_certificate(etc: Path, host: str) -> tuple[Path, Path]:
    """The certificate and key files in ``etc`` (made if absent, the key 0600)."""
    cert, key = etc / CERT_FILE, etc / KEY_FILE
    if cert.is_file() and key.is_file():
        return cert, key
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"ivr sandbox AMI {host}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(private, hashes.SHA256())
    )
    write_private(
        key,
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    write_private(cert, certificate.public_bytes(serialization.Encoding.PEM))
    return cert, key

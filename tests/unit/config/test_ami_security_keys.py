"""[ami] auth, tls and ca_file: read, checked naming the key, turned into the login and the TLS
context every AMI link of the service uses (issue 15, item 6)."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ivr.ami.login import Auth
from ivr.config import ConfigError, load_settings
from ivr.service.ami_security import link_security
from tests.unit.config import sample


def test_plain_tcp_and_plain_login_stay_the_default(tmp_path: Path) -> None:
    assert link_security(sample.settings(tmp_path).ami) == (Auth.PLAIN, None)


def test_md5_over_tls_checked_against_the_given_ca(tmp_path: Path) -> None:
    ca = tmp_path / "pbx.pem"
    ca.write_text(_self_signed())
    ami = {"auth": "md5", "tls": True, "ca_file": str(ca)}
    auth, context = link_security(sample.settings(tmp_path, {"ami": ami}).ami)
    assert auth is Auth.MD5
    assert context is not None
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize(
    ("ami", "message"),
    [
        ({"auth": "sha1"}, "ami.auth"),
        ({"ca_file": "pbx.pem"}, "tls = true"),
        ({"tls": True, "ca_file": "missing.pem"}, "ami.ca_file"),
        ({"tls": "yes"}, "ami.tls"),
    ],
)
def test_a_bad_ami_security_setting_names_its_key(
    tmp_path: Path, ami: dict[str, object], message: str
) -> None:
    (tmp_path / "pbx.pem").write_text(_self_signed())
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_settings(sample.write(tmp_path, {"ami": ami}), environ={})


def _self_signed() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pbx")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()

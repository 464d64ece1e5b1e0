"""[audit]: where the log lives and how its chain head is vouched for outside the database.

``checkpoint_key_file`` is an Ed25519 private key (PEM, made by ``ivr audit new-key``) kept
outside the database; every ``checkpoint_every`` seconds the chain's head is signed with it and
appended to ``checkpoint_file`` (append-only) and, with ``checkpoint_syslog``, sent to syslog.
Someone who can write the database but not read the key cannot forge a checkpoint, so a row
deleted and the chain recomputed no longer matches the last signed head.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ivr.config.reader import Table, shown

AUDIT_KEYS = (
    "path",
    "checkpoint_key_file",
    "checkpoint_file",
    "checkpoint_syslog",
    "checkpoint_every",
    "retention_days",
)
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class CheckpointSettings:
    key_file: Path  # Ed25519 private key, PEM
    file: Path | None = None  # append-only sink: one signed JSON line per checkpoint
    syslog: str | None = None  # syslog socket path ("/dev/log"), or None
    every_seconds: int = 300


def read_checkpoints(table: Table) -> CheckpointSettings | None:
    key = table.optional_path("checkpoint_key_file")
    sink = table.optional_path("checkpoint_file")
    syslog = table.boolean("checkpoint_syslog", False)
    if key is None:
        for name in ("checkpoint_file", "checkpoint_syslog", "checkpoint_every"):
            if name in table:
                raise table.error(name, "needs checkpoint_key_file (the key that signs them)")
        return None
    if sink is None and not syslog:
        raise table.error(
            "checkpoint_key_file", "set checkpoint_file or checkpoint_syslog = true (the sink)"
        )
    if not key.is_file():
        raise table.error(
            "checkpoint_key_file", f"{key} is not a file: make one with ivr audit new-key --out"
        )
    every = table.integer("checkpoint_every", 300, 1, 86400)
    return CheckpointSettings(key, sink, "/dev/log" if syslog else None, every)


def read_trusted_proxies(table: Table) -> tuple[IpNetwork, ...]:
    """[api] trusted_proxies: addresses or networks whose X-Forwarded-For is believed."""
    if "trusted_proxies" not in table:
        return ()
    networks = []
    for text in table.strings("trusted_proxies", ()):
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise table.error(
                "trusted_proxies", f"{shown(text)} is not an IP address or network"
            ) from None
    return tuple(networks)

"""The PBX under test and its carrier: sandbox instances, or PBXs named by the environment.

``IVR_TEST_PBX`` and ``IVR_TEST_CARRIER`` each hold the JSON line that ``ivr sandbox up`` prints
(or a path to a file holding it), so the same suite runs against a Docker or staging PBX whose
trunk reaches the carrier. Without them the suite starts its own pair of sandbox instances.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.sandbox import instance
from ivr.sandbox.spec import Role

PBX_ENV = "IVR_TEST_PBX"
CARRIER_ENV = "IVR_TEST_CARRIER"
PREFIX_ENV = "IVR_TEST_SANDBOX_PREFIX"  # lets two runs on one machine use their own instances


def sandbox_prefix(purpose: str = "test") -> str:
    """Instance names of a run: ``test``, ``trap``… or ``<prefix>-test`` when the prefix is set."""
    prefix = os.environ.get(PREFIX_ENV, "").strip()
    return f"{prefix}-{purpose}" if prefix else purpose


@dataclass(frozen=True)
class Target:
    name: str
    ami_host: str
    ami_port: int
    ami_username: str
    ami_secret: str
    sip_port: int
    recordings_dir: Path
    service_username: str = ""
    service_secret: str = ""
    sounds_dir: Path | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(
            name=data["name"],
            ami_host=data["ami_host"],
            ami_port=int(data["ami_port"]),
            ami_username=data["ami_username"],
            ami_secret=data["ami_secret"],
            sip_port=int(data["sip_port"]),
            recordings_dir=Path(data["recordings_dir"]),
            service_username=data.get("service_username", ""),
            service_secret=data.get("service_secret", ""),
            sounds_dir=Path(data["sounds_dir"]) if data.get("sounds_dir") else None,
        )


def _from_env(variable: str) -> Target | None:
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    text = value if value.startswith("{") else Path(value).read_text(encoding="utf-8")
    return Target.from_json(json.loads(text))


def external_pair() -> tuple[Target, Target] | None:
    pbx, carrier = _from_env(PBX_ENV), _from_env(CARRIER_ENV)
    if pbx is None and carrier is None:
        return None
    if pbx is None or carrier is None:
        raise RuntimeError(f"set both {PBX_ENV} and {CARRIER_ENV}, or neither")
    return pbx, carrier


@contextmanager
def sandbox_pair(prefix: str, *, native_rtp: bool = False) -> Iterator[tuple[Target, Target]]:
    """A PBX and its carrier as sandbox instances, stopped afterwards."""
    pbx_name, carrier_name = f"{prefix}-pbx", f"{prefix}-carrier"
    pbx = instance.up(pbx_name, role=Role.PBX, peer=carrier_name, native_rtp=native_rtp)
    try:
        carrier = instance.up(carrier_name, role=Role.CARRIER, peer=pbx_name)
        try:
            yield _target(pbx), _target(carrier)
        finally:
            instance.down(carrier_name)
    finally:
        instance.down(pbx_name)


def _target(info: instance.InstanceInfo) -> Target:
    return Target.from_json(info.__dict__)

"""The PBX under test and its carrier: the JSON line ``ivr sandbox up`` prints (in a file, as
``docker/qa/targets/*.json`` are), or sandbox instances by name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ivr.simulate.errors import TargetError


@dataclass(frozen=True)
class Target:
    name: str
    ami_host: str
    ami_port: int
    ami_username: str
    ami_secret: str
    recordings_dir: Path
    pid: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], origin: str) -> Target:
        try:
            pid = data.get("pid")
            return cls(
                name=str(data["name"]),
                ami_host=str(data["ami_host"]),
                ami_port=int(data["ami_port"]),
                ami_username=str(data["ami_username"]),
                ami_secret=str(data["ami_secret"]),
                recordings_dir=Path(str(data.get("recordings_dir", ""))),
                pid=int(pid) if pid else None,
            )
        except KeyError as exc:
            raise TargetError(f"{origin}: missing key {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise TargetError(f"{origin}: {exc}") from None


def from_file(path: Path) -> Target:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TargetError(f"{path}: cannot read a target: {exc}") from None
    if not isinstance(data, dict):
        raise TargetError(f"{path}: expected one JSON object")
    return Target.from_json(data, str(path))


def from_sandbox(name: str, *, start: bool = False) -> Target:
    """A sandbox instance; with ``start``, brought up first (``ivr sandbox up``)."""
    from ivr.sandbox import instance

    info = instance.up(name) if start else instance.info(name)
    if info.pid is None:
        raise TargetError(f"sandbox instance {name!r} is not running: ivr sandbox up --name {name}")
    return Target.from_json(info.__dict__, f"sandbox instance {name!r}")

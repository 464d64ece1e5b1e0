"""What the sandbox remembers of each instance: name, role, slot (its ports), secret, peer."""

from __future__ import annotations

import fcntl
import json
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ivr.sandbox import layout
from ivr.sandbox.errors import SandboxError
from ivr.sandbox.private import private_dir, write_private
from ivr.sandbox.spec import Endpoint, Role

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")
LOOPBACK = "127.0.0.1"
PORT_BASE = 16000
PORTS_PER_SLOT = 10
RTP_BASE = 30000
RTP_PER_SLOT = 1000
MAX_SLOTS = 32
ADMIN_USER = "ivr-admin"


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise SandboxError(f"instance name {name!r} is not valid: use 1 to 31 of a-z, 0-9 and '-'")
    return name


@dataclass(frozen=True)
class Ports:
    sip: int
    ami: int
    rtp: tuple[int, int]
    ami_tls: int = 0  # AMI over TLS (the last port of the slot, clear of the others' growth)

    @classmethod
    def of_slot(cls, slot: int) -> Ports:
        base = PORT_BASE + PORTS_PER_SLOT * slot
        rtp = RTP_BASE + RTP_PER_SLOT * slot
        tls = base + PORTS_PER_SLOT - 1
        return cls(sip=base, ami=base + 1, rtp=(rtp, rtp + RTP_PER_SLOT - 1), ami_tls=tls)


@dataclass
class InstanceState:
    name: str
    role: Role
    slot: int
    peer: str
    ami_secret: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    service_secret: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    includes: list[str] = field(default_factory=list)
    native_rtp: bool = False

    @property
    def ports(self) -> Ports:
        return Ports.of_slot(self.slot)

    def save(self, path: Path) -> None:
        private_dir(path.parent)
        data = asdict(self) | {"role": str(self.role)}
        write_private(path, json.dumps(data, indent=2))  # it holds the AMI secrets

    @classmethod
    def load(cls, path: Path) -> InstanceState | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**(data | {"role": Role(data["role"])}))
        except (OSError, ValueError, TypeError, KeyError):
            return None


def peer_endpoint(peer: str, *, idle: Callable[[str], bool] = lambda other: False) -> Endpoint:
    """``peer`` is another instance's name, or ``host:port`` of a PBX outside the sandbox. A
    peer not started yet gets its slot now, reclaiming those ``idle`` says are stopped, as an
    instance's own slot does (else stopped instances could hold every slot the peer needs)."""
    if ":" in peer:
        host, _, port = peer.rpartition(":")
        if not port.isdigit():
            raise SandboxError(f"peer {peer!r}: the port after ':' must be a number")
        return Endpoint(host, int(port))
    return Endpoint(LOOPBACK, Ports.of_slot(slot_of(check_name(peer), idle=idle)).sip)


def slot_of(name: str, *, idle: Callable[[str], bool] = lambda other: False) -> int:
    """The instance's slot, allocated once and kept, so its ports never change.

    When every slot is taken, the slots of instances ``idle`` says are not running are given
    back (their folders go with them, by the caller's ``idle``), oldest first.
    """
    with _slots() as slots:
        if name not in slots:
            free = sorted(set(range(MAX_SLOTS)) - set(slots.values()))
            if not free:
                free = _reclaim(slots, idle)
            slots[name] = free[0]
        return slots[name]


def _reclaim(slots: dict[str, int], idle: Callable[[str], bool]) -> list[int]:
    freed = [slots.pop(other) for other in list(slots) if idle(other)]
    if not freed:
        raise SandboxError(
            f"all {MAX_SLOTS} sandbox slots are taken by running instances; stop one "
            "(ivr sandbox status, ivr sandbox down --name N)"
        )
    return sorted(freed)


def known_names() -> list[str]:
    with _slots() as slots:
        return sorted(slots, key=slots.__getitem__)


@contextmanager
def _slots() -> Iterator[dict[str, int]]:
    path = layout.cache_dir() / "slots.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with (layout.cache_dir() / ".slots.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            slots: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            slots = {}
        yield slots
        path.write_text(json.dumps(slots, indent=2), encoding="utf-8")

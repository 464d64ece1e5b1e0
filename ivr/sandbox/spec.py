"""What an Asterisk instance is made of: the parameters its configuration is rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath

DATA_DIR = PurePosixPath("/usr/share/asterisk")


class Role(StrEnum):
    """``pbx`` is the PBX under test; ``carrier`` plays the callers and the agents."""

    PBX = "pbx"
    CARRIER = "carrier"

    @property
    def trunk_name(self) -> str:
        """The name each side gives to the SIP trunk towards the other side."""
        return "carrier" if self is Role.PBX else "pbx"


@dataclass(frozen=True)
class AsteriskDirs:
    """Asterisk's folders (``asterisk.conf`` ``[directories]``) as Asterisk itself sees them."""

    etc: PurePosixPath
    spool: PurePosixPath
    run: PurePosixPath
    log: PurePosixPath
    lib: PurePosixPath
    db: PurePosixPath
    cache: PurePosixPath
    modules: PurePosixPath
    data: PurePosixPath = DATA_DIR

    @classmethod
    def under(cls, root: PurePosixPath, modules: PurePosixPath) -> AsteriskDirs:
        """One private folder tree per instance, so several run side by side."""
        return cls(
            etc=root / "etc",
            spool=root / "spool",
            run=root / "run",
            log=root / "log",
            lib=root / "lib",
            db=root / "db",
            cache=root / "cache",
            modules=modules,
        )

    @classmethod
    def debian(cls, modules: PurePosixPath) -> AsteriskDirs:
        """Debian's own layout, used by the Docker image."""
        return cls(
            etc=PurePosixPath("/etc/asterisk"),
            spool=PurePosixPath("/var/spool/asterisk"),
            run=PurePosixPath("/var/run/asterisk"),
            log=PurePosixPath("/var/log/asterisk"),
            lib=PurePosixPath("/var/lib/asterisk"),
            db=PurePosixPath("/var/lib/asterisk"),
            cache=PurePosixPath("/var/cache/asterisk"),
            modules=modules,
        )

    def all(self) -> tuple[PurePosixPath, ...]:
        return (self.etc, self.spool, self.run, self.log, self.lib, self.db, self.cache)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class InstanceSpec:
    """Everything the rendered configuration depends on, and nothing else."""

    name: str
    role: Role
    sip: Endpoint
    ami: Endpoint
    rtp_ports: tuple[int, int]
    peer: Endpoint
    ami_user: str
    ami_secret: str
    dirs: AsteriskDirs
    service_secret: str = ""  # the consent service's own AMI account; none when empty
    # Who may log in to the AMI: loopback for the sandbox, the compose subnet for Docker.
    ami_permit: str = "127.0.0.0/255.0.0.0"
    ami_tls: Endpoint | None = None  # AMI over TLS, its certificate beside manager.conf
    includes: tuple[str, ...] = ()
    native_rtp: bool = False
    extra_modules_noload: tuple[str, ...] = field(default=())

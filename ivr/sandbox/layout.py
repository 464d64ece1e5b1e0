"""Where the sandbox keeps its cached root filesystem and its instances.

The rootfs is a cache: it lives outside the repository (``/var/cache/ivr-sandbox`` unless
``IVR_SANDBOX_CACHE`` says otherwise) and is shared by every instance. Each instance keeps its
own configuration, spool, log, run and database folders inside the rootfs under
``/srv/ivr/<name>``, so Asterisk running under ``chroot`` and the host see the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "IVR_SANDBOX_CACHE"
DEFAULT_CACHE = Path("/var/cache/ivr-sandbox")
INSTANCES_IN_ROOTFS = Path("/srv/ivr")
READY_MARKER = ".ivr-sandbox-ready"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def ledger_path(name: str) -> Path:
    """The ledger of ``ivr run --sandbox NAME``: beside the rootfs, outside every instance."""
    return cache_dir() / f"ledger-{name}.sqlite3"


def rootfs_dir() -> Path:
    return cache_dir() / "rootfs"


@dataclass(frozen=True)
class InstancePaths:
    """The folders of one instance, as seen inside the chroot and from the host."""

    name: str
    rootfs: Path

    @property
    def inside(self) -> Path:
        return INSTANCES_IN_ROOTFS / self.name

    @property
    def host(self) -> Path:
        return self.rootfs / self.inside.relative_to("/")

    @property
    def state_file(self) -> Path:
        return self.host / "instance.json"

    @property
    def etc_host(self) -> Path:
        return self.host / "etc"

    @property
    def asterisk_conf_inside(self) -> Path:
        return self.inside / "etc" / "asterisk.conf"

    @property
    def recordings_host(self) -> Path:
        return self.host / "spool" / "monitor"

    @property
    def console_log(self) -> Path:
        return self.host / "log" / "console.log"


def instance_paths(name: str) -> InstancePaths:
    return InstancePaths(name=name, rootfs=rootfs_dir())

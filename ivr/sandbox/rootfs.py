"""Provision the cached Debian sid root filesystem with Asterisk, once, atomically.

The rootfs is built in a side folder and renamed into place only when complete, with a marker
that names its package list: an interrupted build is never used, and is redone from scratch.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from ivr.sandbox import layout, mounts
from ivr.sandbox.commands import run
from ivr.sandbox.errors import DOCKER_HINT, SandboxError
from ivr.sandbox.mirror import debian_mirror

log = logging.getLogger(__name__)

SUITE = "sid"
APT_OPTIONS = ("-o", "Acquire::Check-Valid-Until=false", "-o", "Dpkg::Use-Pty=0")
SOUNDS = Path("usr/share/asterisk/sounds")
ROOT_OWNED = (
    "etc/asterisk",
    "var/lib/asterisk",
    "var/spool/asterisk",
    "var/log/asterisk",
    "usr/share/asterisk",
)


def packages() -> list[str]:
    text = resources.files("ivr.sandbox").joinpath("packages.txt").read_text(encoding="utf-8")
    return [w for line in text.splitlines() if (w := line.split("#", 1)[0].strip())]


def ensure_rootfs() -> Path:
    """The ready rootfs, provisioning it first if it is missing, stale or half-built."""
    rootfs = layout.rootfs_dir()
    if _is_ready(rootfs):
        relative_sound_links(rootfs)
        return rootfs
    check_host()
    layout.cache_dir().mkdir(parents=True, exist_ok=True)
    with _provision_lock():
        if not _is_ready(rootfs):
            _provision(rootfs)
    return rootfs


def check_host() -> None:
    if os.geteuid() != 0:
        raise SandboxError(f"ivr sandbox needs root (debootstrap, chroot, mount); {DOCKER_HINT}")
    for tool in ("debootstrap", "chroot", "mount"):
        if shutil.which(tool) is None:
            raise SandboxError(
                f"{tool} is not installed (apt-get install debootstrap); {DOCKER_HINT}"
            )


def ready_info(rootfs: Path) -> dict[str, object] | None:
    marker = rootfs / layout.READY_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _is_ready(rootfs: Path) -> bool:
    info = ready_info(rootfs)
    return info is not None and info.get("packages") == packages()


@contextmanager
def _provision_lock() -> Iterator[None]:
    with (layout.cache_dir() / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _provision(rootfs: Path) -> None:
    started = time.monotonic()
    partial = rootfs.with_name(rootfs.name + ".partial")
    _remove_tree(partial)
    _remove_tree(rootfs)  # stale or half-built: never reused
    mirror = debian_mirror()
    log.info("provisioning Debian %s with Asterisk from %s into %s", SUITE, mirror, partial)
    provision_log = layout.cache_dir() / "provision.log"
    _debootstrap(partial, mirror, provision_log)
    try:
        _install_packages(partial, provision_log)
    finally:
        mounts.unmount_all(partial)
    for folder in ROOT_OWNED:
        run(["chown", "-R", "root:root", str(partial / folder)], what=f"chown {folder}")
    relative_sound_links(partial)
    _write_marker(partial, mirror, time.monotonic() - started)
    partial.rename(rootfs)
    log.info("rootfs ready in %.0f s", time.monotonic() - started)


def _debootstrap(target: Path, mirror: str, provision_log: Path) -> None:
    try:
        run(
            ["debootstrap", "--variant=minbase", SUITE, str(target), mirror],
            what="debootstrap",
            timeout=900,
            log=provision_log,
        )
    except SandboxError as exc:
        raise SandboxError(
            f"could not bootstrap Debian {SUITE} from {mirror} (offline, or a wrong mirror? "
            f"set IVR_DEBIAN_MIRROR); {DOCKER_HINT}\n{exc}"
        ) from exc


def _install_packages(target: Path, provision_log: Path) -> None:
    conf = target / "etc/apt/apt.conf.d/99ivr-sandbox"
    conf.write_text('Acquire::Check-Valid-Until "false";\n', encoding="utf-8")
    policy = target / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n", encoding="utf-8")  # no service starts here
    policy.chmod(0o755)
    mounts.mount_proc(target)
    chroot = ["chroot", str(target), "env", "DEBIAN_FRONTEND=noninteractive"]
    run([*chroot, "apt-get", *APT_OPTIONS, "update"], what="apt-get update", log=provision_log)
    install = ["apt-get", *APT_OPTIONS, "install", "-y", "--no-install-recommends"]
    run([*chroot, *install, *packages()], what="apt-get install asterisk", log=provision_log)
    run([*chroot, "apt-get", "clean"], what="apt-get clean", log=provision_log)


def _write_marker(target: Path, mirror: str, seconds: float) -> None:
    version = run(["chroot", str(target), "asterisk", "-V"], what="asterisk -V").strip()
    info = {
        "packages": packages(),
        "asterisk": version,
        "suite": SUITE,
        "mirror": mirror,
        "provisioned_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(seconds, 1),
    }
    (target / layout.READY_MARKER).write_text(json.dumps(info, indent=2), encoding="utf-8")


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    mounts.unmount_all(path)
    if mounts.mounts_under(path):
        raise SandboxError(f"{path} still has mounts; unmount them, then retry")
    shutil.rmtree(path)


def relative_sound_links(rootfs: Path) -> None:
    """Make the sounds folder's absolute links (Debian's alternatives) relative.

    Inside the chroot ``sounds/en -> /etc/alternatives/...`` resolves; from the host, where
    prompts are written, it would point at the host's own /etc. A relative link to the final
    target resolves the same way from both sides.
    """
    sounds = rootfs / SOUNDS
    if not sounds.is_dir():
        return
    for link in sounds.iterdir():
        if link.is_symlink() and Path(os.readlink(link)).is_absolute():
            target = _resolve_inside(rootfs, link)
            if target is not None:
                link.unlink()
                link.symlink_to(os.path.relpath(target, link.parent))


def _resolve_inside(rootfs: Path, link: Path, hops: int = 8) -> Path | None:
    current = link
    for _ in range(hops):
        if not current.is_symlink():
            return current if current.exists() else None
        pointed = Path(os.readlink(current))
        current = (
            rootfs / pointed.relative_to("/") if pointed.is_absolute() else current.parent / pointed
        )
    return None

"""``ivr sandbox`` operations on instances: up, down, status, cli."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ivr.names import SERVICE_AMI_USER
from ivr.sandbox import layout, process, render, tls
from ivr.sandbox.errors import SandboxError
from ivr.sandbox.layout import InstancePaths
from ivr.sandbox.private import PRIVATE_FILE, private_dir, write_private
from ivr.sandbox.rootfs import ensure_rootfs
from ivr.sandbox.spec import AsteriskDirs, Endpoint, InstanceSpec, Role
from ivr.sandbox.state import (
    ADMIN_USER,
    LOOPBACK,
    InstanceState,
    check_name,
    known_names,
    peer_endpoint,
    slot_of,
)

log = logging.getLogger(__name__)

DEFAULT_NAME = "pbx"
INCLUDE_PREFIX = "include-"


@dataclass(frozen=True)
class InstanceInfo:
    """What a client needs to reach an instance; printed as one JSON line by ``up``."""

    name: str
    role: str
    ami_host: str
    ami_port: int
    ami_username: str
    ami_secret: str
    sip_host: str
    sip_port: int
    recordings_dir: str
    pid: int | None
    service_username: str = ""  # the consent service's least-privilege AMI account
    service_secret: str = ""
    sounds_dir: str = ""  # host path of Asterisk's sounds folder, where prompts go
    ami_tls_port: int = 0  # AMI over TLS, same accounts
    ami_tls_ca: str = ""  # the instance's self-signed certificate, for the client to trust


def up(
    name: str = DEFAULT_NAME,
    *,
    role: Role | None = None,
    peer: str | None = None,
    includes: tuple[Path, ...] = (),
    native_rtp: bool | None = None,
) -> InstanceInfo:
    """Provision if needed, render the configuration and start the instance (idempotent)."""
    rootfs = ensure_rootfs()
    paths = InstancePaths(check_name(name), rootfs)
    state = _merged_state(paths, role, peer, includes, native_rtp)
    changed = _write_config(paths, state, includes)
    if process.running_pid(paths) is not None and changed:
        log.info("configuration of %s changed: restarting it", name)
        process.stop(paths)
    if process.running_pid(paths) is None:
        process.start(paths)
    return info(name)


def down(name: str = DEFAULT_NAME) -> bool:
    """Stop the instance; True if it was running. Nothing of it is left running or mounted."""
    return process.stop(layout.instance_paths(check_name(name)))


def cli(name: str, command: str) -> str:
    paths = layout.instance_paths(check_name(name))
    if process.running_pid(paths) is None:
        raise SandboxError(f"instance {name!r} is not running; start it with: ivr sandbox up")
    return process.cli(paths, command)


def info(name: str = DEFAULT_NAME) -> InstanceInfo:
    paths = layout.instance_paths(check_name(name))
    state = InstanceState.load(paths.state_file)
    if state is None:
        raise SandboxError(f"no sandbox instance named {name!r}; create it with: ivr sandbox up")
    ports = state.ports
    return InstanceInfo(
        name=name,
        role=str(state.role),
        ami_host=LOOPBACK,
        ami_port=ports.ami,
        ami_username=ADMIN_USER,
        ami_secret=state.ami_secret,
        sip_host=LOOPBACK,
        sip_port=ports.sip,
        recordings_dir=str(paths.recordings_host),
        pid=process.running_pid(paths),
        service_username=SERVICE_AMI_USER if state.role is Role.PBX else "",
        service_secret=state.service_secret if state.role is Role.PBX else "",
        sounds_dir=str(paths.rootfs / "usr" / "share" / "asterisk" / "sounds"),
        ami_tls_port=ports.ami_tls,
        ami_tls_ca=str(paths.etc_host / tls.CERT_FILE),
    )


def status() -> list[InstanceInfo]:
    return [info(name) for name in known_names() if _has_state(name)]


def spec_of(paths: InstancePaths, state: InstanceState) -> InstanceSpec:
    ports = state.ports
    return InstanceSpec(
        name=state.name,
        role=state.role,
        sip=Endpoint(LOOPBACK, ports.sip),
        ami=Endpoint(LOOPBACK, ports.ami),
        ami_tls=Endpoint(LOOPBACK, ports.ami_tls),
        rtp_ports=ports.rtp,
        # Never reclaim the instance being written (not running yet) for its own peer.
        peer=peer_endpoint(
            state.peer, idle=lambda other: other != state.name and _forget_if_idle(other)
        ),
        ami_user=ADMIN_USER,
        ami_secret=state.ami_secret,
        service_secret=state.service_secret if state.role is Role.PBX else "",
        dirs=AsteriskDirs.under(PurePosixPath(paths.inside), modules_dir(paths.rootfs)),
        includes=tuple(state.includes),
        native_rtp=state.native_rtp,
    )


def modules_dir(rootfs: Path) -> PurePosixPath:
    """Asterisk's module folder inside the rootfs (its name carries the machine's triplet)."""
    for candidate in sorted(rootfs.glob("usr/lib/*/asterisk/modules")):
        return PurePosixPath("/") / candidate.relative_to(rootfs)
    raise SandboxError(f"no Asterisk modules under {rootfs}/usr/lib: reprovision the sandbox")


def _forget_if_idle(name: str) -> bool:
    """True (and its folders removed) if the instance is not running: its slot may be reused."""
    paths = layout.instance_paths(name)
    if process.running_pid(paths) is not None:
        return False
    shutil.rmtree(paths.host, ignore_errors=True)
    return True


def _has_state(name: str) -> bool:
    return layout.instance_paths(name).state_file.exists()


def _merged_state(
    paths: InstancePaths,
    role: Role | None,
    peer: str | None,
    includes: tuple[Path, ...],
    native_rtp: bool | None,
) -> InstanceState:
    old = InstanceState.load(paths.state_file)
    role = role or (old.role if old else Role.PBX)
    same_role = old is not None and old.role is role
    state = InstanceState(
        name=paths.name,
        role=role,
        slot=slot_of(paths.name, idle=_forget_if_idle),
        peer=peer or (old.peer if old and same_role else role.trunk_name),
    )
    if old is not None:
        state.ami_secret = old.ami_secret
        state.service_secret = old.service_secret
        state.includes = old.includes
        state.native_rtp = old.native_rtp
    if includes:
        state.includes = [INCLUDE_PREFIX + p.name for p in includes]
    if native_rtp is not None:
        state.native_rtp = native_rtp
    return state


def _write_config(paths: InstancePaths, state: InstanceState, includes: tuple[Path, ...]) -> bool:
    """Write the rendered files; True if anything differs from what was there."""
    private_dir(paths.host)
    for folder in ("etc", "spool", "spool/monitor", "run", "log", "lib", "db", "cache"):
        private_dir(paths.host / folder)
    for source in includes:
        _check_readable(source)
    _copy_stock_config(paths)
    tls.ensure_certificate(paths.etc_host, LOOPBACK)
    files = render.render(spec_of(paths, state))
    files |= {INCLUDE_PREFIX + p.name: p.read_text(encoding="utf-8") for p in includes}
    changed = False
    for file_name, text in files.items():
        target = paths.etc_host / file_name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            write_private(target, text)
            changed = True
    _tighten(paths.etc_host)
    state.save(paths.state_file)
    return changed


def _tighten(etc: Path) -> None:
    """Files an older version left as Debian shipped them (0640/0644) become 0600."""
    for entry in etc.iterdir():
        if entry.is_file() and not entry.is_symlink():
            os.chmod(entry, PRIVATE_FILE, follow_symlinks=False)


def _copy_stock_config(paths: InstancePaths) -> None:
    """Debian's own /etc/asterisk is the base (queues, features, ...); ours overrides it."""
    stock = paths.rootfs / "etc" / "asterisk"
    for source in stock.iterdir():
        target = paths.etc_host / source.name
        if source.is_file() and not target.exists():
            write_private(target, source.read_bytes())


def _check_readable(source: Path) -> None:
    if not source.is_file():
        raise SandboxError(f"--include {source}: no such file")
    if source.suffix != ".conf":
        raise SandboxError(
            f"--include {source}: expected an Asterisk dialplan file ending in .conf"
        )

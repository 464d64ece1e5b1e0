"""The administrator's machine, inside this one: a real Asterisk started from Debian's stock
/etc/asterisk and run as the rootfs's own ``asterisk`` user, and the folders docs/admin.md names
(/opt/ivr, /etc/ivr, /var/lib/ivr, ...) moved to a folder of the test.

What the test adds to the stock configuration is what any site already has before installing
ivr, and nothing of ivr: Asterisk's folders and ports of its own (several Asterisks share this
machine), the SIP trunk from the carrier, and an inbound context that dials the agent.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ivr.sandbox import instance, layout, process, render
from ivr.sandbox.layout import InstancePaths
from ivr.sandbox.spec import Role
from ivr.sandbox.state import InstanceState

INBOUND_CONTEXT = "from-carrier"  # where the trunk's calls land (the sandbox's own name)
INBOUND_EXTEN = "100"
# The site's inbound context before ivr: calls to 100 ring the carrier's `agent`.
SITE_INBOUND = f"""
[{INBOUND_CONTEXT}]
exten => {INBOUND_EXTEN},1,NoOp(inbound call)
 same => n,Dial(PJSIP/agent@carrier,60)
 same => n,Hangup()
"""
BOOT_DEADLINE = 60.0
ASTERISK_USER = "asterisk"  # the rootfs's, from Debian's asterisk package
# The sandbox keeps its instances in /srv/ivr, a folder only root may enter: Asterisk running as
# `asterisk` needs folders it can reach.
ADMIN_INSTANCES = Path("/srv/ivr-admin")
FOLDERS = ("etc", "spool/monitor", "run", "log", "lib", "db", "cache")


class AdminPaths(InstancePaths):
    """An instance's folders below /srv/ivr-admin; the sandbox's process functions use them."""

    @property
    def inside(self) -> Path:
        return ADMIN_INSTANCES / self.name


@dataclass(frozen=True)
class AdminPbx:
    paths: InstancePaths
    ami_port: int
    asterisk_uid: int
    asterisk_gid: int

    @property
    def etc(self) -> Path:
        return self.paths.etc_host

    @property
    def monitor(self) -> Path:
        return self.paths.recordings_host

    @property
    def sounds(self) -> Path:
        return self.paths.host / "data" / "sounds"

    def start(self) -> None:
        """As Debian's unit starts it: as ``asterisk``, in its group."""
        conf = str(self.paths.asterisk_conf_inside)
        argv = ["setsid", "--fork", "chroot", str(self.paths.rootfs), process.ASTERISK, "-f"]
        argv += ["-n", "-U", ASTERISK_USER, "-G", ASTERISK_USER, "-C", conf]
        process.pid_file(self.paths).unlink(missing_ok=True)
        with self.paths.console_log.open("ab") as console:
            subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=console, stderr=console, check=True
            )
        deadline = time.monotonic() + BOOT_DEADLINE
        while not self._booted():
            assert time.monotonic() < deadline, self.paths.console_log.read_text()[-3000:]
            time.sleep(0.1)

    def _booted(self) -> bool:
        if process.running_pid(self.paths) is None:
            return False
        try:
            return "fully booted" in process.cli(self.paths, "core waitfullybooted", timeout=10)
        except Exception:  # not answering yet
            return False

    def stop(self) -> None:
        process.stop(self.paths)

    def user_of_pid(self) -> int:
        pid = process.running_pid(self.paths)
        assert pid is not None
        return Path(f"/proc/{pid}").stat().st_uid


def stock_pbx(name: str, carrier: str) -> AdminPbx:
    """The instance ``name`` with Debian's stock configuration and the site's parts only."""
    instance.up(name, role=Role.PBX, peer=carrier)  # its slot (ports) and state
    instance.down(name)
    state = InstanceState.load(layout.instance_paths(name).state_file)
    assert state is not None
    paths = AdminPaths(name, layout.rootfs_dir())
    process.stop(paths)  # left running by an interrupted run
    shutil.rmtree(paths.host, ignore_errors=True)
    for folder in FOLDERS:
        (paths.host / folder).mkdir(parents=True, exist_ok=True)
    for top in (paths.host.parent, paths.host):
        top.chmod(0o755)
    uid, gid = _rootfs_ids(paths.rootfs, ASTERISK_USER)
    pbx = AdminPbx(paths, state.ports.ami, uid, gid)
    _stock_etc(paths)
    _site_parts(paths, state)
    _debian_ownership(pbx)
    return pbx


def start_carrier(name: str, pbx: str) -> instance.InstanceInfo:
    return instance.up(name, role=Role.CARRIER, peer=pbx)


def _stock_etc(paths: InstancePaths) -> None:
    shutil.rmtree(paths.etc_host, ignore_errors=True)
    shutil.copytree(paths.rootfs / "etc" / "asterisk", paths.etc_host, symlinks=True)


def _site_parts(paths: InstancePaths, state: InstanceState) -> None:
    spec = instance.spec_of(paths, state)
    # Sounds of its own: the prompts this test builds must not replace other instances'.
    data = PurePosixPath(paths.inside) / "data"
    spec = dataclasses.replace(spec, dirs=dataclasses.replace(spec.dirs, data=data))
    rendered = render.render(spec)
    for name in ("asterisk.conf", "pjsip.conf", "rtp.conf"):
        (paths.etc_host / name).write_text(rendered[name], encoding="utf-8")
    with (paths.etc_host / "extensions.conf").open("a", encoding="utf-8") as dialplan:
        dialplan.write(SITE_INBOUND)
    manager = paths.etc_host / "manager.conf"
    text = manager.read_text(encoding="utf-8")
    assert re.search(r"^port = 5038$", text, re.MULTILINE), "Debian's manager.conf changed"
    manager.write_text(text.replace("port = 5038", f"port = {state.ports.ami}", 1))
    modules = paths.etc_host / "modules.conf"
    lines = modules.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("[modules]\n") + 1
    # Modules that bind a fixed port every instance on this machine would want.
    lines[at:at] = [f"noload => {module}\n" for module in render.NOLOAD_ALWAYS]
    modules.write_text("".join(lines), encoding="utf-8")
    _data_folder(paths)


def _data_folder(paths: InstancePaths) -> None:
    data = paths.host / "data"
    shutil.rmtree(data, ignore_errors=True)
    (data / "sounds").mkdir(parents=True)
    os.chmod(data, 0o755)
    os.chmod(data / "sounds", 0o755)
    shared = paths.rootfs / "usr" / "share" / "asterisk"
    for entry in shared.iterdir():
        if entry.name != "sounds":
            (data / entry.name).symlink_to(PurePosixPath("/usr/share/asterisk") / entry.name)


def _debian_ownership(pbx: AdminPbx) -> None:
    """As Debian's package leaves them: configuration root:asterisk 0640, Asterisk's own
    folders (spool, log, run, lib) owned by asterisk, MixMonitor's folder 0750."""
    for folder, _, files in os.walk(pbx.etc):
        os.chown(folder, 0, pbx.asterisk_gid)
        os.chmod(folder, 0o750)
        for name in files:
            path = Path(folder) / name
            os.chown(path, 0, pbx.asterisk_gid, follow_symlinks=False)
            path.chmod(0o640)
    for name in ("spool", "log", "run", "lib", "db", "cache"):
        for folder, subfolders, files in os.walk(pbx.paths.host / name):
            for entry in [Path(folder), *(Path(folder) / n for n in subfolders + files)]:
                os.chown(entry, pbx.asterisk_uid, pbx.asterisk_gid, follow_symlinks=False)
    pbx.monitor.chmod(0o750)


def _rootfs_ids(rootfs: Path, user: str) -> tuple[int, int]:
    for line in (rootfs / "etc" / "passwd").read_text(encoding="utf-8").splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise AssertionError(f"no user {user} in the sandbox rootfs")

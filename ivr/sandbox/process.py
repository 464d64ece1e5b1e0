"""Start, find and stop one Asterisk process under chroot."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ivr.sandbox.commands import run
from ivr.sandbox.errors import SandboxError
from ivr.sandbox.layout import InstancePaths

ASTERISK = "/usr/sbin/asterisk"
BOOT_DEADLINE = 60.0
STOP_DEADLINE = 10.0


def pid_file(paths: InstancePaths) -> Path:
    return paths.host / "run" / "asterisk.pid"


def running_pid(paths: InstancePaths) -> int | None:
    """The pid of this instance's Asterisk, or None; a reused pid of another program is ignored."""
    try:
        pid = int(pid_file(paths).read_text(encoding="ascii").strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if str(paths.asterisk_conf_inside).encode() in cmdline else None


def start(paths: InstancePaths) -> int:
    pid_file(paths).unlink(missing_ok=True)
    paths.console_log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        "setsid", "--fork",  # detached: outlives the command that started it
        "chroot", str(paths.rootfs),
        ASTERISK, "-f", "-n", "-U", "root", "-G", "root", "-C", str(paths.asterisk_conf_inside),
    ]  # fmt: skip
    with paths.console_log.open("ab") as console:
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=console, stderr=console, check=True)
    return _wait_booted(paths)


def cli(paths: InstancePaths, command: str, timeout: float = 30) -> str:
    argv = ["chroot", str(paths.rootfs), ASTERISK, "-C", str(paths.asterisk_conf_inside)]
    return run([*argv, "-rx", command], what=f"asterisk -rx {command!r}", timeout=timeout)


def stop(paths: InstancePaths) -> bool:
    """Stop the instance's Asterisk; True if one was running."""
    pid = running_pid(paths)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, STOP_DEADLINE):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, STOP_DEADLINE)
    pid_file(paths).unlink(missing_ok=True)
    return True


def _wait_booted(paths: InstancePaths) -> int:
    deadline = time.monotonic() + BOOT_DEADLINE
    while time.monotonic() < deadline:
        pid = running_pid(paths)
        if pid is not None and _fully_booted(paths):
            return pid
        if pid is None and _pid_written_and_gone(paths):
            break
        time.sleep(0.1)
    raise SandboxError(
        f"Asterisk instance {paths.name!r} did not boot within {BOOT_DEADLINE:.0f} s; "
        f"last lines of {paths.console_log}:\n{_tail(paths.console_log)}"
    )


def _fully_booted(paths: InstancePaths) -> bool:
    try:
        return "fully booted" in cli(paths, "core waitfullybooted", timeout=BOOT_DEADLINE)
    except SandboxError:
        return False


def _pid_written_and_gone(paths: InstancePaths) -> bool:
    return pid_file(paths).exists() and running_pid(paths) is None


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _is_zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

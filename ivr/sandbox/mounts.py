"""Mounts the sandbox makes inside its rootfs, found again from /proc so none is left behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")


def mounts_under(root: Path) -> list[Path]:
    """Mount points at or below ``root``, deepest first (the order to unmount them in)."""
    root = root.resolve()
    found = []
    for line in MOUNTINFO.read_text(encoding="utf-8").splitlines():
        point = Path(_unescape(line.split()[4]))
        if point == root or root in point.parents:
            found.append(point)
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def mount_proc(root: Path) -> None:
    target = root / "proc"
    if target.resolve() not in mounts_under(target):
        subprocess.run(["mount", "-t", "proc", "proc", str(target)], check=True)


def unmount_all(root: Path) -> None:
    for point in mounts_under(root):
        subprocess.run(["umount", "-l", str(point)], check=False)


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal.
    return field.encode().decode("unicode_escape")

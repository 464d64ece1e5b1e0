"""Can the PBX's user read a file? The kernel's own rule (owner, then group, then others, with
search rights on every folder above), checked for that user by mode bits; ACLs are not read."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

READ, SEARCH = 4, 1  # the r and x bits of one class (owner, group, others)


@dataclass(frozen=True)
class Reader:
    """A user as a permission check sees it: its uid and every group it is in."""

    name: str
    uid: int
    gids: frozenset[int]

    @classmethod
    def parse(cls, spec: str) -> Reader | None:
        """A user name of this machine, or ``UID:GID`` (a PBX in a chroot or a container,
        whose users this machine does not know); None for an unknown name."""
        uid, colon, gid = spec.partition(":")
        if colon and uid.isdigit() and gid.isdigit():
            return cls(spec, int(uid), frozenset({int(gid)}))
        try:
            user = pwd.getpwnam(spec)
        except KeyError:
            return None
        groups = os.getgrouplist(spec, user.pw_gid)
        return cls(spec, user.pw_uid, frozenset(groups))

    def describe(self) -> str:
        groups = ",".join(str(g) for g in sorted(self.gids))
        return f"{self.name} (uid {self.uid}, groups {groups})"

    def allowed(self, path: Path, bit: int) -> bool:
        if self.uid == 0:
            return True
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid == self.uid:
            return bool(mode >> 6 & bit)
        if info.st_gid in self.gids:
            return bool(mode >> 3 & bit)
        return bool(mode & bit)


def unreadable(reader: Reader, files: Iterable[Path]) -> list[str]:
    """Why ``reader`` cannot read each file it cannot: the first folder it cannot search, or
    the file itself, with its mode and owner."""
    found = []
    searchable: dict[Path, bool] = {}
    for file in files:
        blocked = next(
            (f for f in reversed(file.parents) if not _search(reader, f, searchable)), None
        )
        if blocked is not None:
            found.append(f"{blocked}/ {_owner(blocked)}")
        elif not file.exists():
            found.append(f"{file} (missing)")
        elif not reader.allowed(file, READ):
            found.append(f"{file} {_owner(file)}")
    return sorted(set(found))


def _search(reader: Reader, folder: Path, known: dict[Path, bool]) -> bool:
    if folder not in known:
        known[folder] = folder.is_dir() and reader.allowed(folder, SEARCH)
    return known[folder]


def _owner(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "(missing)"
    return (
        f"(mode {stat.S_IMODE(info.st_mode):o}, owner {_user(info.st_uid)}:{_group(info.st_gid)})"
    )


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)

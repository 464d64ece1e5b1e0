"""The administrator's folders and users, mapped into the test: docs/admin.md's commands and
the systemd unit run with their paths moved (``/opt/ivr`` → a folder of the test...) and the
``ivr`` and ``asterisk`` users replaced by ids (this machine has neither user, and the test
must not add users to it). Nothing else of a command is changed."""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from tests.install.site import AdminPbx
from tests.support.service import ServiceProcess


class Identity(TypedDict, total=False):
    """Who a process of the unit runs as, and in what: subprocess's own keyword arguments."""

    env: dict[str, str]
    umask: int
    cwd: str
    user: int
    group: int
    extra_groups: list[int]


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `text` as it is (no backslash escapes)."""
    return lambda _match: text


UNIT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # systemd's default


def unused_id(start: int = 64100) -> int:
    """A uid that is also a free gid on this machine: the test's ``ivr`` user and group."""
    for candidate in range(start, start + 1000):
        try:
            pwd.getpwuid(candidate)
            continue
        except KeyError:
            pass
        try:
            grp.getgrgid(candidate)
        except KeyError:
            return candidate
    raise AssertionError("no free uid")


@dataclass
class Host:
    root: Path  # stands for "/" for the service's folders
    pbx: AdminPbx
    http_port: int
    ivr_id: int = field(default_factory=unused_id)

    @property
    def paths(self) -> dict[str, str]:
        return {
            "/opt/ivr": str(self.root / "opt" / "ivr"),
            "/etc/ivr": str(self.root / "etc" / "ivr"),
            "/var/lib/ivr": str(self.root / "var" / "lib" / "ivr"),
            "/etc/systemd/system": str(self.root / "etc" / "systemd" / "system"),
            "/etc/asterisk": str(self.pbx.etc),
            "/var/spool/asterisk/monitor": str(self.pbx.monitor),
            "/usr/share/asterisk/sounds": str(self.pbx.sounds),
            "127.0.0.1:8480": f"127.0.0.1:{self.http_port}",
        }

    def path(self, documented: str) -> Path:
        return Path(self.translate(documented))

    def translate(self, text: str) -> str:
        for documented, here in sorted(self.paths.items(), key=lambda kv: -len(kv[0])):
            # Not inside a path already translated (/tmp/ivr-admin-x/etc/ivr).
            text = re.sub(r"(?<![\w.-])" + re.escape(documented), _literal(here), text)
        ids = {"ivr": str(self.ivr_id), "asterisk": str(self.pbx.asterisk_gid)}
        text = re.sub(r"(-[og] )(ivr|asterisk)\b", lambda m: m[1] + ids[m[2]], text)
        # runuser needs a name this machine knows: setpriv does the same with the ids.
        as_ivr = (
            f"setpriv --reuid={self.ivr_id} --regid={self.ivr_id} --groups={ids['asterisk']} --"
        )
        return text.replace("runuser -u ivr --", as_ivr)

    def shell(self, commands: str, *, env: dict[str, str] | None = None) -> str:
        """Run documented commands as root, translated; fail with their output."""
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.translate(commands)],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
            env=os.environ | (env or {}),
            check=False,
        )
        assert done.returncode == 0, (
            f"{commands}\nexit {done.returncode}\n{done.stdout}{done.stderr}"
        )
        return done.stdout


@dataclass(frozen=True)
class Unit:
    """The [Service] settings of a systemd unit that the test reproduces."""

    settings: dict[str, list[str]]

    @classmethod
    def read(cls, path: Path) -> Unit:
        settings: dict[str, list[str]] = {}
        section = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and line and not line.startswith("#"):
                key, _, value = line.partition("=")
                settings.setdefault(key, []).append(value)
        return cls(settings)

    def one(self, key: str) -> str:
        (value,) = self.settings[key]
        return value

    def all(self, key: str) -> list[str]:
        return self.settings.get(key, [])


class UnitService(ServiceProcess):
    """``ivr run`` started as the unit starts it: its ExecStartPre lines first (``+``: as root),
    then ExecStart as User=/Group=/SupplementaryGroups=, with UMask= and the unit's environment
    (systemd's PATH, the user's variables, EnvironmentFile=). Not reproduced: the sandboxing
    lines (ProtectSystem=, PrivateTmp=, NoNewPrivileges=), which need systemd itself."""

    def __init__(self, unit: Unit, host: Host, log_path: Path) -> None:
        super().__init__(host.path("/etc/ivr/ivr.toml"), log_path)
        self.unit, self.host = unit, host

    @property
    def uid(self) -> int:
        assert self.unit.one("User") == "ivr"
        return self.host.ivr_id

    @property
    def gid(self) -> int:
        assert self.unit.one("Group") == "ivr"
        return self.host.ivr_id

    @property
    def groups(self) -> list[int]:
        assert self.unit.all("SupplementaryGroups") == ["asterisk"]
        return [self.host.pbx.asterisk_gid]

    @property
    def umask(self) -> int:
        return int(self.unit.one("UMask"), 8)

    def environment(self) -> dict[str, str]:
        env = {"PATH": UNIT_PATH, "HOME": "/var/lib/ivr", "USER": "ivr", "LOGNAME": "ivr"}
        env["SHELL"] = "/usr/sbin/nologin"
        for source in self.unit.all("EnvironmentFile"):
            optional = source.startswith("-")
            path = self.host.path(source.removeprefix("-"))
            if optional and not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    key, _, value = line.partition("=")
                    env[key.strip()] = value.strip()
        return env

    def state_directory(self) -> Path:
        """StateDirectory=: made by systemd for the unit's user, with StateDirectoryMode=."""
        folder = self.host.path("/var/lib/" + self.unit.one("StateDirectory"))
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, self.uid, self.gid)
        folder.chmod(int(self.unit.one("StateDirectoryMode"), 8))
        return folder

    def pre_start(self) -> None:
        self.state_directory()
        for line in self.unit.all("ExecStartPre"):
            as_root = line.startswith("+")
            argv = self.host.translate(line.removeprefix("+")).split()
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
                **self._identity(as_root),
            )
            assert done.returncode == 0, f"ExecStartPre={line}:\n{done.stdout}{done.stderr}"

    def spawn(self) -> None:
        argv = self.host.translate(self.unit.one("ExecStart")).split()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=log, **self._identity(False))

    def _identity(self, as_root: bool) -> Identity:
        common = Identity(env=self.environment(), umask=self.umask, cwd="/")
        if as_root:
            return common
        return common | Identity(user=self.uid, group=self.gid, extra_groups=list(self.groups))

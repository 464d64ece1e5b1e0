"""The sandbox's ``db`` role: a throwaway PostgreSQL cluster from Debian's ``postgresql``
package, for tests and for trying several sites on one store.

Each cluster is a folder of its own (``<cache>/db/<name>``: ``data/``, ``socket/``,
``db.json``, ``server.log``) made with ``initdb`` and run with ``pg_ctl``; it listens on
loopback only (a port chosen once and kept, so a restarted cluster has the same URL) and on a
Unix socket in its folder. Authentication is ``trust`` on those two: nothing else can reach it,
and it holds test data only. Under root the server runs as the package's ``postgres`` user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from ivr.sandbox import layout
from ivr.sandbox.commands import run
from ivr.sandbox.errors import SandboxError
from ivr.sandbox.state import LOOPBACK, check_name

DEFAULT_NAME = "db"
DATABASE = "ivr"
USER = "ivr"
SERVER_USER = "postgres"  # Debian's package creates it; the server runs as it under root


@dataclass(frozen=True)
class DbInfo:
    name: str
    role: str
    url: str
    port: int
    socket_dir: str
    data_dir: str
    pid: int | None


def folder(name: str) -> Path:
    return layout.cache_dir() / "db" / check_name(name)


def exists(name: str) -> bool:
    return (folder(name) / "db.json").is_file()


def up(name: str = DEFAULT_NAME) -> DbInfo:
    """Start the cluster ``name``, making it first if needed; its info once it answers."""
    home = folder(name)
    if not exists(name):
        _create(home)
    if _pid(home) is None:
        _start(home)
    return info(name)


def down(name: str = DEFAULT_NAME) -> bool:
    """Stop the cluster (its data stays, for `up` again); False if it was not running."""
    home = folder(name)
    if not exists(name) or _pid(home) is None:
        return False
    _pg_ctl(home, "stop", "-m", "fast", "-w")
    return True


def remove(name: str) -> None:
    """Stop the cluster and delete its folder."""
    down(name)
    shutil.rmtree(folder(name), ignore_errors=True)


def info(name: str = DEFAULT_NAME) -> DbInfo:
    home = folder(name)
    port = _port(home)
    url = f"postgresql://{USER}@{LOOPBACK}:{port}/{DATABASE}"
    return DbInfo(
        name, "db", url, port, str(home / "socket"), str(home / "data"), _pid(home)
    )  # fmt: skip


def _create(home: Path) -> None:
    home.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    home.mkdir(mode=0o755, exist_ok=True)
    for sub in ("data", "socket"):
        (home / sub).mkdir(mode=0o700, exist_ok=True)
        _give_to_server(home / sub)
    _as_server(
        [_bin("initdb"), "-D", str(home / "data"), "-U", USER, "--auth=trust", "-E", "UTF8",
         "--no-instructions"],
        what=f"initdb for the sandbox database {home.name}",
    )  # fmt: skip
    (home / "db.json").write_text(json.dumps({"port": _free_port()}) + "\n", encoding="utf-8")
    _start(home)
    _create_database(home)


def _start(home: Path) -> None:
    log = home / "server.log"
    log.touch()
    _give_to_server(log)
    options = (
        f"-p {_port(home)} -k {home / 'socket'} -c listen_addresses={LOOPBACK} "
        "-c max_connections=200 -c fsync=on -c synchronous_commit=on"
    )
    _pg_ctl(home, "start", "-w", "-t", "60", "-l", str(log), "-o", options)


def _create_database(home: Path) -> None:
    psql = [_bin("psql"), "-h", str(home / "socket"), "-p", str(_port(home)), "-U", USER]
    run(
        [*psql, "-d", "postgres", "-qc", f"CREATE DATABASE {DATABASE}"],
        what=f"creating the database {DATABASE} in {home.name}",
    )


def _pg_ctl(home: Path, *args: str) -> None:
    _as_server([_bin("pg_ctl"), "-D", str(home / "data"), *args], what=f"pg_ctl {args[0]}")


def _pid(home: Path) -> int | None:
    """The postmaster's pid if it runs (its pid file names a live process)."""
    try:
        pid = int((home / "data" / "postmaster.pid").read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def _port(home: Path) -> int:
    try:
        return int(json.loads((home / "db.json").read_text(encoding="utf-8"))["port"])
    except (OSError, ValueError, KeyError) as exc:
        raise SandboxError(f"{home}: not a sandbox database ({exc})") from exc


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _bin(program: str) -> str:
    """The newest installed PostgreSQL's ``program`` (Debian keeps them per major version)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise SandboxError("PostgreSQL is not installed: apt-get install postgresql")
    return str(versions[-1] / program)


def _as_root() -> bool:
    return os.geteuid() == 0


def _give_to_server(path: Path) -> None:
    if _as_root():
        shutil.chown(path, SERVER_USER, SERVER_USER)


def _as_server(argv: list[str], *, what: str) -> str:
    prefix = ["runuser", "-u", SERVER_USER, "--"] if _as_root() else []
    return run([*prefix, *argv], what=what, timeout=120)


def as_json(db: DbInfo) -> str:
    return json.dumps(asdict(db) | {"running": db.pid is not None})

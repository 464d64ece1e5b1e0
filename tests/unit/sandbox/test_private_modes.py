"""Sandbox secrets are private on purpose: 0700 folders, 0600 files, whatever the umask and
whatever mode Debian's stock files had (real files in a real folder tree, umask 022)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.sandbox import instance, layout
from ivr.sandbox.layout import InstancePaths
from ivr.sandbox.private import write_private
from ivr.sandbox.spec import Role
from ivr.sandbox.state import InstanceState, slot_of


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def rootfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(layout.CACHE_ENV, str(tmp_path))
    root = tmp_path / "rootfs"
    (root / "usr/lib/x86_64-linux-gnu/asterisk/modules").mkdir(parents=True)
    stock = root / "etc" / "asterisk"
    stock.mkdir(parents=True)
    for name, mode in (("manager.conf", 0o640), ("queues.conf", 0o644)):
        (stock / name).write_text(f"; Debian's {name}\n")
        (stock / name).chmod(mode)
    return root


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def write(rootfs: Path) -> InstancePaths:
    paths = InstancePaths("w15-modes", rootfs)
    state = InstanceState(name=paths.name, role=Role.PBX, slot=slot_of(paths.name), peer="x")
    instance._write_config(paths, state, ())
    return paths


@pytest.mark.usefixtures("umask_022")
def test_instance_folders_are_0700_and_every_config_file_0600_under_umask_022(
    rootfs: Path,
) -> None:
    paths = write(rootfs)
    folders = [paths.host, *(p for p in paths.host.rglob("*") if p.is_dir())]
    assert {str(p): mode(p) for p in folders} == {str(p): 0o700 for p in folders}
    files = [p for p in paths.host.rglob("*") if p.is_file()]
    assert paths.etc_host / "manager.conf" in files
    assert paths.state_file in files
    assert {str(p): mode(p) for p in files} == {str(p): 0o600 for p in files}
    assert "ivr-admin" in (paths.etc_host / "manager.conf").read_text()


@pytest.mark.usefixtures("umask_022")
def test_an_instance_left_readable_by_an_older_version_is_tightened(rootfs: Path) -> None:
    paths = write(rootfs)
    paths.host.chmod(0o755)
    (paths.etc_host / "manager.conf").chmod(0o644)
    (paths.etc_host / "queues.conf").chmod(0o644)
    write(rootfs)
    assert mode(paths.host) == 0o700
    assert mode(paths.etc_host / "manager.conf") == 0o600
    assert mode(paths.etc_host / "queues.conf") == 0o600


def test_a_secret_file_is_never_written_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "manager.conf").symlink_to(victim)
    with pytest.raises(OSError):
        write_private(tmp_path / "manager.conf", "secret")
    assert victim.read_text() == "keep me"

"""The recordings folder's health: free space and a write probe."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.service import disk


def test_a_writable_folder_with_room_is_ok(tmp_path: Path) -> None:
    health = disk.check(tmp_path)
    assert health.ok
    assert health.writable
    assert health.free_bytes > 0
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing behind


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    health = disk.check(tmp_path / "gone")
    assert not health.ok
    assert health.error


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write to: root writes through permissions, not through a ro mount."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    mount = ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)]
    subprocess.run(mount, check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_folder_is_not_writable(read_only_folder: Path) -> None:
    health = disk.check(read_only_folder)
    assert not health.writable
    assert "probe" in (health.error or "")


def test_low_space_is_not_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk, "MIN_FREE_BYTES", 1 << 62)
    health = disk.check(tmp_path)
    assert health.writable
    assert not health.ok
    assert "free" in (health.error or "")

"""The recordings folder's health: free space and a write probe."""

from __future__ import annotations

import os
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_a_read_only_folder_is_not_writable(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        health = disk.check(tmp_path)
    finally:
        tmp_path.chmod(0o700)
    assert not health.writable
    assert "probe" in (health.error or "")


def test_low_space_is_not_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk, "MIN_FREE_BYTES", 1 << 62)
    health = disk.check(tmp_path)
    assert health.writable
    assert not health.ok
    assert "free" in (health.error or "")

"""Provisioning decisions that need no network: readiness, partial builds, host checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr.sandbox import layout, rootfs
from ivr.sandbox.errors import SandboxError


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(layout.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_package_list_names_asterisk_and_both_languages() -> None:
    packages = rootfs.packages()
    assert "asterisk" in packages
    assert any(p.startswith("asterisk-core-sounds-fr") for p in packages)
    assert any(p.startswith("asterisk-core-sounds-en") for p in packages)


def test_a_rootfs_without_marker_is_not_ready(cache: Path) -> None:
    (cache / "rootfs" / "etc").mkdir(parents=True)
    assert rootfs.ready_info(cache / "rootfs") is None


def test_a_marker_for_another_package_list_is_not_ready(cache: Path) -> None:
    target = cache / "rootfs"
    target.mkdir()
    (target / layout.READY_MARKER).write_text(json.dumps({"packages": ["asterisk"]}))
    assert rootfs.ready_info(target) is not None
    assert not rootfs._is_ready(target)


def test_without_root_the_error_says_so_and_points_to_docker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ivr.sandbox.rootfs.os.geteuid", lambda: 1000)
    with pytest.raises(SandboxError, match=r"needs root.*docker compose"):
        rootfs.ensure_rootfs()


def test_without_debootstrap_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ivr.sandbox.rootfs.os.geteuid", lambda: 0)
    monkeypatch.setattr(
        "ivr.sandbox.rootfs.shutil.which", lambda tool: None if tool == "debootstrap" else "/x"
    )
    with pytest.raises(SandboxError, match=r"debootstrap is not installed.*docker"):
        rootfs.ensure_rootfs()

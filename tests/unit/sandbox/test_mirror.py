from __future__ import annotations

from pathlib import Path

import pytest

from ivr.sandbox.errors import SandboxError
from ivr.sandbox.mirror import MIRROR_ENV, debian_mirror

DEB822 = """\
Types: deb
# a comment
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
"""


@pytest.fixture(autouse=True)
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MIRROR_ENV, raising=False)


def apt_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_reads_deb822_sources_and_skips_security(tmp_path: Path) -> None:
    apt = apt_dir(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert debian_mirror(apt) == "http://mirror.example/debian"


def test_reads_one_line_sources_with_options(tmp_path: Path) -> None:
    text = "# old\ndeb [arch=amd64] http://archive.example/debian sid main\n"
    apt = apt_dir(tmp_path, {"sources.list": text})
    assert debian_mirror(apt) == "http://archive.example/debian"


def test_disabled_stanza_and_third_party_archives_are_ignored(tmp_path: Path) -> None:
    text = (
        "Types: deb\nURIs: http://other.example/debian\nSuites: sid\nEnabled: no\n\n"
        "Types: deb\nURIs: https://vendor.example/apt\nSuites: nodistro\n"
    )
    apt = apt_dir(tmp_path, {"sources.list.d/x.sources": text})
    with pytest.raises(SandboxError, match="IVR_DEBIAN_MIRROR"):
        debian_mirror(apt)


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIRROR_ENV, "http://local.example/debian")
    assert debian_mirror(apt_dir(tmp_path, {})) == "http://local.example/debian"

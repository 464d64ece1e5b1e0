"""Find the Debian mirror this machine already uses, so the sandbox fetches from the same place.

``IVR_DEBIAN_MIRROR`` overrides it. Both apt formats are read: deb822 ``*.sources`` files and
one-line ``sources.list`` entries. Security and third-party archives are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ivr.sandbox.errors import DOCKER_HINT, SandboxError

MIRROR_ENV = "IVR_DEBIAN_MIRROR"
APT_DIR = Path("/etc/apt")
DEBIAN_SUITES = ("sid", "unstable", "trixie", "forky", "bookworm", "bullseye", "testing", "stable")


def debian_mirror(apt_dir: Path = APT_DIR) -> str:
    override = os.environ.get(MIRROR_ENV, "").strip()
    if override:
        return override
    for uri in _debian_uris(_apt_source_files(apt_dir)):
        return uri
    raise SandboxError(
        f"no Debian mirror found in {apt_dir}/sources.list or {apt_dir}/sources.list.d/*.sources;"
        f" set {MIRROR_ENV}=<mirror URL>, {DOCKER_HINT}"
    )


def _apt_source_files(apt_dir: Path) -> list[Path]:
    files = [apt_dir / "sources.list"]
    files += sorted((apt_dir / "sources.list.d").glob("*.list"))
    files += sorted((apt_dir / "sources.list.d").glob("*.sources"))
    return [f for f in files if f.is_file()]


def _debian_uris(files: Iterable[Path]) -> Iterator[str]:
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        entries = _deb822_entries(text) if path.suffix == ".sources" else _one_line_entries(text)
        for uri, suites in entries:
            if _is_debian_archive(uri, suites):
                yield uri.rstrip("/")


def _one_line_entries(text: str) -> Iterator[tuple[str, list[str]]]:
    for raw in text.splitlines():
        words = [w for w in raw.split("#", 1)[0].split() if not w.startswith("[")]
        if len(words) >= 3 and words[0] == "deb":
            yield words[1], [words[2]]


def _deb822_entries(text: str) -> Iterator[tuple[str, list[str]]]:
    for stanza in text.split("\n\n"):
        fields = _deb822_fields(stanza)
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            yield uri, fields.get("suites", "").split()


def _deb822_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line or line[:1].isspace():
            continue
        key, value = line.split(":", 1)
        fields[key.strip().lower()] = value.strip()
    return fields


def _is_debian_archive(uri: str, suites: list[str]) -> bool:
    if not uri.startswith(("http://", "https://", "file:")):
        return False
    if "security" in uri or "debian" not in uri:
        return False
    return any(suite.split("-")[0] in DEBIAN_SUITES for suite in suites)

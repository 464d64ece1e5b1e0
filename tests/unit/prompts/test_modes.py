"""Prompts are read by the PBX's user: whatever the umask they were built under (the systemd
unit's is 0077), every prompt and the manifest come out readable by any user, and a rebuild
repairs modes changed since. Checked by ``ivr doctor``'s own reader check, for a user that is
neither the builder nor in its group."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.config import Settings
from ivr.doctor.local import prompts_readable
from ivr.doctor.readable import Reader, unreadable
from ivr.outbound.prompts import MANIFEST as OUTBOUND_MANIFEST
from ivr.outbound.prompts import build_outbound_prompts
from ivr.prompts import MANIFEST_NAME, build_prompts, prompt_path
from tests.unit.config import sample

STRANGER = Reader("stranger", 64999, frozenset({64999}))  # not the builder, not in its group


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[Settings, Path]]:
    """Prompts built under umask 0077, in a folder every user may reach (not pytest's 0700)."""
    top = Path(tempfile.mkdtemp(prefix="ivr-modes-"))
    top.chmod(0o755)
    settings = sample.settings(top)
    previous = os.umask(0o077)
    try:
        build_prompts(settings, top / "sounds")
    finally:
        os.umask(previous)
    yield settings, top / "sounds"
    shutil.rmtree(top)


def files(settings: Settings, out: Path) -> list[Path]:
    return [out / MANIFEST_NAME] + [out / prompt_path(*key) for key in settings.prompt_keys()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_prompts_built_under_umask_0077_are_readable_by_any_user(
    built: tuple[Settings, Path],
) -> None:
    settings, out = built
    assert {mode(f) for f in files(settings, out)} == {0o644}
    assert unreadable(STRANGER, files(settings, out)) == []


def test_a_rebuild_repairs_prompts_and_folders_made_unreadable(
    built: tuple[Settings, Path],
) -> None:
    settings, out = built
    prompt = files(settings, out)[1]
    prompt.chmod(0o600)
    prompt.parent.chmod(0o700)
    assert unreadable(STRANGER, [prompt]) != []
    previous = os.umask(0o077)
    try:
        build_prompts(settings, out)  # nothing changed in the texts: only modes are repaired
    finally:
        os.umask(previous)
    assert mode(prompt) == 0o644
    assert mode(prompt.parent) == 0o755
    assert unreadable(STRANGER, files(settings, out)) == []


def test_doctor_fails_naming_a_prompt_the_pbx_user_cannot_read(
    built: tuple[Settings, Path],
) -> None:
    settings, out = built
    settings = sample.settings(out.parent, environ={"IVR_PROMPTS_DIR": str(out)})
    prompt = files(settings, out)[2]
    finding = prompts_readable(settings, "64999:64999")
    assert finding is not None
    assert finding.level == "ok", finding.detail
    prompt.chmod(0o600)
    try:
        finding = prompts_readable(settings, "64999:64999")
        assert finding is not None
        assert finding.level == "FAIL"
        assert str(prompt) in finding.detail
        assert "mode 600" in finding.detail
    finally:
        prompt.chmod(0o644)


def test_doctor_warns_when_the_pbx_user_is_unknown_here(built: tuple[Settings, Path]) -> None:
    settings, out = built
    settings = sample.settings(out.parent, environ={"IVR_PROMPTS_DIR": str(out)})
    finding = prompts_readable(settings, "no-such-user-here")
    assert finding is not None
    assert finding.level == "warn"
    assert "--pbx-user" in finding.detail


def test_outbound_prompts_built_under_umask_0077_are_readable_by_any_user(
    built: tuple[Settings, Path],
) -> None:
    settings, out = built
    texts = {"fr": {"refused-window": "Appel refusé : hors des heures permises."}}
    previous = os.umask(0o077)
    try:
        (prompt,) = build_outbound_prompts(texts, settings.prompts.voice, out)
    finally:
        os.umask(previous)
    assert mode(prompt) == 0o644
    assert mode(prompt.parent) == 0o755
    assert unreadable(STRANGER, [prompt, out / OUTBOUND_MANIFEST]) == []

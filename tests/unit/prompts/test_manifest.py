"""The manifest alone: saved and read back, and its failures typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.names import Prompt
from ivr.prompts import MANIFEST_NAME, Manifest, ManifestEntry, ManifestError, PromptSource


def entry(prompt: Prompt = Prompt.NOTICE_SHORT, recorded_for: str | None = None) -> ManifestEntry:
    return ManifestEntry(
        "fr", "en", prompt, f"en/ivr-consent/fr/{prompt}.wav", "t" * 64, "f" * 64, 12.5,
        PromptSource.STUDIO if recorded_for else PromptSource.ESPEAK, "espeak-ng voice=en",
        recorded_for,
    )  # fmt: skip


def test_round_trip_through_the_folder_or_the_file(tmp_path: Path) -> None:
    manifest = Manifest({e.key: e for e in (entry(), entry(Prompt.NOTICE_FULL, "o" * 64))})
    manifest.save(tmp_path / MANIFEST_NAME)
    assert Manifest.load(tmp_path) == manifest
    assert Manifest.load(tmp_path / MANIFEST_NAME) == manifest
    assert manifest.version("fr", "en", Prompt.NOTICE_SHORT) == "t" * 64
    assert manifest.entry("fr", "en", Prompt.NOTICE_FULL).studio_outdated


def test_a_missing_manifest_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Manifest.load(tmp_path)


@pytest.mark.parametrize("content", ["not json", '{"format": 99, "prompts": []}', '{"x": 1}'])
def test_an_unreadable_manifest_is_a_value_error(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(content)
    with pytest.raises(ManifestError, match=MANIFEST_NAME) as info:
        Manifest.load(tmp_path)
    assert isinstance(info.value, ValueError)


def test_an_unknown_prompt_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="notice-short"):
        Manifest({}).version("fr", "fr", Prompt.NOTICE_SHORT)

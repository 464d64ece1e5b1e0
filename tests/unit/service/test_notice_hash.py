"""The notice version written per call never breaks a call, whatever the manifest holds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ivr.names import Prompt
from ivr.service.runtime import Runtime


class Manifest:
    def version(self, profile: str, language: str, prompt: Prompt) -> str:
        if (profile, language) != ("fr", "fr"):
            raise KeyError((profile, language))
        return "built-hash"


class Settings:
    def text_hash(self, profile: str, language: str, prompt: Prompt) -> str:
        if profile == "unknown":
            raise KeyError(profile)
        return f"text-{profile}-{language}"


def runtime(manifest: Any) -> Any:
    return SimpleNamespace(manifest=manifest, settings=Settings())


def notice_hash(manifest: Any, profile: str, language: str) -> str | None:
    return Runtime._hash(runtime(manifest), profile, language)


def test_the_built_prompt_version_comes_first() -> None:
    assert notice_hash(Manifest(), "fr", "fr") == "built-hash"


def test_a_language_missing_from_the_manifest_falls_back_to_the_text() -> None:
    assert notice_hash(Manifest(), "fr", "en") == "text-fr-en"


def test_an_unknown_profile_gives_no_hash_rather_than_an_error() -> None:
    assert notice_hash(Manifest(), "unknown", "xx") is None
    assert notice_hash(None, "unknown", "xx") is None

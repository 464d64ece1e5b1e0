"""The manifest of built prompts: for each one, the version of its text, the file's hash, its
duration and where it came from. The service reads it to know which prompt version a caller
heard; the builder reads it to skip what has not changed."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ivr.names import Prompt
from ivr.prompts.errors import ManifestError
from ivr.prompts.layout import MANIFEST_NAME
from ivr.prompts.modes import publish_file

FORMAT = 1

PromptKey = tuple[str, str, Prompt]  # profile, language, prompt


class PromptSource(StrEnum):
    ESPEAK = "espeak"
    STUDIO = "studio"


@dataclass(frozen=True)
class ManifestEntry:
    profile: str
    language: str
    prompt: Prompt
    path: str  # relative to the sounds folder
    text_sha256: str  # the prompt's version: the hash of its text
    file_sha256: str
    duration: float  # seconds
    source: PromptSource
    source_id: str  # the voice's settings, or the studio file's sha256
    # Studio only: the text version current when this studio file was first used. When it
    # differs from text_sha256, the recording may no longer say what the text says.
    recorded_for: str | None = None

    @property
    def key(self) -> PromptKey:
        return self.profile, self.language, self.prompt

    @property
    def studio_outdated(self) -> bool:
        return self.recorded_for is not None and self.recorded_for != self.text_sha256


@dataclass(frozen=True)
class Manifest:
    entries: Mapping[PromptKey, ManifestEntry]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read the manifest at ``path`` (the file, or the folder prompts were built into).

        Raises FileNotFoundError when there is none, ManifestError when it is unreadable.
        """
        if path.is_dir():
            path = path / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["format"] != FORMAT:
                raise ValueError(f"format {data['format']!r}, expected {FORMAT}")
            entries = [_entry(item) for item in data["prompts"]]
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ManifestError(f"{path}: not a readable prompt manifest ({exc})") from None
        return cls({entry.key: entry for entry in entries})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.part")
        prompts = [asdict(entry) for entry in self.entries.values()]
        text = json.dumps({"format": FORMAT, "prompts": prompts}, indent=2) + "\n"
        aside.write_text(text, encoding="utf-8")
        publish_file(aside)  # the PBX's user reads it too (doctor does, as that user would)
        os.replace(aside, path)

    def entry(self, profile: str, language: str, prompt: Prompt) -> ManifestEntry:
        try:
            return self.entries[profile, language, prompt]
        except KeyError:
            raise KeyError(f"no prompt {prompt} for profile {profile!r} in {language!r}") from None

    def version(self, profile: str, language: str, prompt: Prompt) -> str:
        """The version of the prompt as built: the sha256 of its text."""
        return self.entry(profile, language, prompt).text_sha256


def _entry(item: dict[str, Any]) -> ManifestEntry:
    fields = dict(item)
    fields["prompt"] = Prompt(fields["prompt"])
    fields["source"] = PromptSource(fields["source"])
    fields["duration"] = float(fields["duration"])
    return ManifestEntry(**fields)

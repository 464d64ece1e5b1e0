"""A setting nothing reads is a promise the product does not keep: each field of `Settings`
must be read somewhere outside the configuration package."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from ivr.config.model import Settings

IVR = Path(__file__).resolve().parents[3] / "ivr"
SOURCES = {
    path: path.read_text(encoding="utf-8")
    for path in IVR.rglob("*.py")
    if "config" not in path.relative_to(IVR).parts[:1]
}


def fields(cls: type, prefix: str = "") -> list[str]:
    found = []
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        dotted = f"{prefix}{field.name}"
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            found += fields(kind, f"{dotted}.")
        else:
            found.append(dotted)
    return found


# Fields read through a method of their own dataclass: the method must be called outside.
THROUGH_METHOD = {"prompts.voice.voices": ".voice(", "packs": ".pack("}


def read_somewhere(dotted: str) -> bool:
    """``a.b.c`` is read where a module names ``b`` and ``.c`` (its section and its field):
    the section's object may be passed under another name in between."""
    if dotted in THROUGH_METHOD:
        return any(THROUGH_METHOD[dotted] in text for text in SOURCES.values())
    *sections, name = dotted.split(".")
    field_access = re.compile(rf"\.{re.escape(name)}\b(?!\()")
    section = re.compile(rf"\b{re.escape(sections[-1])}\b") if sections else None
    for text in SOURCES.values():
        if field_access.search(text) and (section is None or section.search(text)):
            return True
    return False


@pytest.mark.parametrize("dotted", fields(Settings))
def test_every_setting_reaches_code(dotted: str) -> None:
    assert read_somewhere(dotted), f"settings.{dotted} is read by no module outside ivr/config"

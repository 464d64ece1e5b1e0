"""Consent profiles: the rules of one jurisdiction, and the texts shipped for it.

A profile is data: ``ivr/config/shipped/<name>/profile.toml`` says its mode and languages, and
one ``<language>.toml`` per language holds its texts and its default notice items (the rights
and the authority, which the law fixes). Adding a profile means adding such a folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ivr.config.errors import ConfigError
from ivr.config.reader import Source, Table, shown
from ivr.config.texts import ITEMS, TEXT_KEYS, MustSay, check_template, must_say
from ivr.names import Mode

UNRECORDED_NOTICES = ("same", "short")


@dataclass(frozen=True)
class Profile:
    name: str
    mode: Mode
    languages: tuple[str, ...]  # the first is not special: see default_language
    default_language: str
    description: str
    offers_objection: bool = True  # the notice names an objection key (not under notice-only)
    unrecorded_notice: str = "same"  # a call not to be recorded hears: the same notice, or
    # "short": the notice-unrecorded prompt
    based_on: str = ""  # a profile of the administrator's own: the shipped one it starts from

    @property
    def base(self) -> str:
        """The shipped profile whose texts this one uses (itself, if shipped)."""
        return self.based_on or self.name

    @property
    def must_say(self) -> MustSay:
        return must_say(objection=self.offers_objection, opt_in=self.mode is Mode.OPT_IN)


@dataclass(frozen=True)
class ShippedTexts:
    texts: dict[str, str]  # every key of TEXT_KEYS
    notice: dict[str, str]  # default notice items


def _folder() -> Path:
    return Path(str(resources.files("ivr.config").joinpath("shipped")))


def _read(path: Path, allowed: tuple[str, ...]) -> Table:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(exc), path=path, key=None) from exc
    return Table(data, "", Source(path), allowed)


def shipped_names() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in _folder().iterdir() if (p / "profile.toml").is_file()))


@cache
def shipped_profile(name: str) -> Profile:
    allowed = (
        "description",
        "mode",
        "languages",
        "default_language",
        "objection",
        "unrecorded_notice",
    )
    table = _read(_folder() / name / "profile.toml", allowed)
    mode = table.string("mode")
    if mode not in set(Mode):
        raise table.error("mode", f"must be one of {', '.join(Mode)}, got {shown(mode)}")
    languages = table.strings("languages", ())
    default = table.string("default_language")
    if default not in languages:
        raise table.error("default_language", f"must be one of the languages, got {shown(default)}")
    unrecorded = unrecorded_notice(table, "same")
    return Profile(
        name,
        Mode(mode),
        languages,
        default,
        table.string("description"),
        offers_objection=table.boolean("objection", True),
        unrecorded_notice=unrecorded,
    )


def unrecorded_notice(table: Table, default: str) -> str:
    value = table.string("unrecorded_notice", default)
    if value not in UNRECORDED_NOTICES:
        raise table.error("unrecorded_notice", f'must be "same" or "short", got {shown(value)}')
    return value


@cache
def shipped_texts(name: str, language: str) -> ShippedTexts:
    table = _read(_folder() / name / f"{language}.toml", ("texts", "notice"))
    texts = table.table("texts", TEXT_KEYS)
    notice = table.table("notice", ITEMS)
    must = shipped_profile(name).must_say
    for key in TEXT_KEYS:
        check_template(key, texts.string(key), texts.at(key), table.source, must)
    return ShippedTexts(
        {key: texts.string(key) for key in TEXT_KEYS},
        {item: notice.string(item) for item in ITEMS if item in notice},
    )

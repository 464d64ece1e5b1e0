"""Readers of the consent sections: [consent], [controller], [notice.<lang>], [profiles.<name>],
and the rendering of every text a caller hears or reads, once, at start-up."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ivr.config.model import ConsentKeys, ConsentSettings, LanguagePack
from ivr.config.notice_url import profile_url, spoken
from ivr.config.profiles import (
    Profile,
    shipped_names,
    shipped_profile,
    shipped_texts,
    unrecorded_notice,
)
from ivr.config.reader import Table, hint, shown
from ivr.config.rules import read_rules
from ivr.config.texts import (
    ITEM_HELP,
    ITEMS,
    PAGE_TEXTS,
    TEXT_KEYS,
    NoticeItems,
    check_template,
    one_line,
    render,
)
from ivr.names import Mode, Prompt

DTMF_KEYS = "0123456789*#"
_PROFILE_KEYS = (
    "languages",
    "default_language",
    "texts",
    "notice",
    "unrecorded_notice",
    "based_on",  # a profile of the administrator's own: the shipped one it starts from
    "mode",
    "objection",
    "description",
)
_OWN_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
_CONTROLLER_ONLY = ("name", "contact", "dpo")  # the same in every language, usually

Packs = dict[tuple[str, str], LanguagePack]


def read_consent(root: Table, public_url: str) -> tuple[ConsentSettings, Packs]:
    consent = root.table("consent", ("default_profile", "profiles", "keys", "rules"))
    keys = _keys(consent.table("keys", ("full_notice", "object", "accept")))
    overrides = root.tables("profiles", _PROFILE_KEYS)
    known = (*shipped_names(), *(n for n, t in overrides.items() if "based_on" in t))
    default = consent.string("default_profile", "fr")
    _check_known(consent, "default_profile", default, known)
    names = consent.strings("profiles", (default,))
    for name in names:
        _check_known(consent, "profiles", name, known)
    if default not in names:
        raise consent.error(
            "default_profile", f"must be one of consent.profiles, got {shown(default)}"
        )
    for name, table in overrides.items():
        if name not in names:
            raise root.source.error(table.key, f"profile {shown(name)} is not in consent.profiles")
    ordered = (default, *(n for n in names if n != default))
    own = {n: overrides.get(n) or _empty(root, n) for n in ordered}
    profiles = {n: _profile(n, own[n]) for n in ordered}
    common = _Common(
        keys, public_url, root.tables("notice", ITEMS), root.table("controller", ITEMS), default
    )
    spoken_languages = {lang for p in profiles.values() for lang in p.languages}
    _check_languages(common.notices, spoken_languages, "no enabled profile speaks")
    packs: Packs = {}
    for name, profile in profiles.items():
        packs |= _profile_packs(profile, own[name], common)
    rules = read_rules(consent, tuple(profiles))
    return ConsentSettings(default, keys, MappingProxyType(profiles), rules), packs


@dataclass(frozen=True)
class _Common:
    """What every profile's texts are rendered with."""

    keys: ConsentKeys
    public_url: str
    notices: Mapping[str, Table]  # [notice.<lang>]
    controller: Table
    default_profile: str = ""  # its page is public_url itself; the others add ?profile=


def _empty(root: Table, name: str) -> Table:
    return Table({}, f"profiles.{name}", root.source, _PROFILE_KEYS)


def _check_known(table: Table, key: str, name: str, known: tuple[str, ...]) -> None:
    if name not in known:
        own = " (a profile of your own needs [profiles.<name>] with based_on)"
        raise table.error(key, f"unknown profile {shown(name)}" + hint(name, known) + own)


def _keys(table: Table) -> ConsentKeys:
    named = {
        "full_notice": _key(table, "full_notice", "1"),
        "object": _key(table, "object", "9"),
        "accept": _key(table, "accept", "2"),
    }
    seen: dict[str, str] = {}
    for name, key in named.items():
        if key in seen:
            first = table.at(seen[key])
            raise table.error(name, f"must differ from {first} (both {shown(key)})")
        seen[key] = name
    return ConsentKeys(named["full_notice"], named["object"], named["accept"])


def _key(table: Table, name: str, default: str) -> str:
    value = table.data.get(name, default)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
        value = str(value)  # `object = 9` is what people write
    if not isinstance(value, str) or len(value) != 1 or value not in DTMF_KEYS:
        raise table.error(name, f"must be one key among 0-9 * #, got {shown(value)}")
    return value


def _profile(name: str, table: Table) -> Profile:
    base = _base(name, table)
    shipped = shipped_profile(base)
    languages = table.strings("languages", shipped.languages)
    for language in languages:
        if language not in shipped.languages:
            have = ", ".join(shipped.languages)
            raise table.error(
                "languages", f"profile {base} has texts in {have}; got {shown(language)}"
            )
    fallback = shipped.default_language if shipped.default_language in languages else languages[0]
    default = table.string("default_language", fallback)
    if default not in languages:
        raise table.error("default_language", f"must be one of the languages, got {shown(default)}")
    mode = table.string("mode", str(shipped.mode))
    if mode not in set(Mode):
        raise table.error("mode", f"must be one of {', '.join(Mode)}, got {shown(mode)}")
    return Profile(
        name,
        Mode(mode),
        languages,
        default,
        table.string("description", shipped.description),
        table.boolean("objection", shipped.offers_objection),
        unrecorded_notice(table, shipped.unrecorded_notice),
        base,
    )


def _base(name: str, table: Table) -> str:
    """The shipped profile whose texts ``name`` starts from: itself, or its ``based_on``."""
    if "based_on" not in table:
        return name
    if name in shipped_names():
        raise table.error("based_on", f"{name} is a shipped profile: change it, do not base it")
    if not _OWN_NAME.fullmatch(name):
        raise table.source.error(
            table.key, "a profile's name is 1-32 of a-z, 0-9 and -, starting with a letter"
        )
    base = table.string("based_on")
    if base not in shipped_names():
        raise table.error(
            "based_on", f"unknown profile {shown(base)}" + hint(base, shipped_names())
        )
    return base


def _profile_packs(profile: Profile, own: Table, common: _Common) -> Packs:
    texts = own.tables("texts", TEXT_KEYS)
    notices = own.tables("notice", ITEMS)
    why = f"profile {profile.name} does not speak"
    _check_languages(texts, set(profile.languages), why)
    _check_languages(notices, set(profile.languages), why)
    packs: Packs = {}
    for language in profile.languages:
        # The most specific layer wins: this profile's, then this language's, then all languages'.
        layers = (notices.get(language), common.notices.get(language), common.controller)
        packs[profile.name, language] = _pack(
            profile,
            own,
            language,
            texts.get(language),
            [t for t in layers if t is not None],
            common,
        )
    return packs


def _check_languages(tables: Mapping[str, Table], languages: set[str], why: str) -> None:
    for language, table in tables.items():
        if language not in languages:
            raise table.source.error(
                table.key, f"{why} {shown(language)}" + hint(language, languages)
            )


def _pack(
    profile: Profile,
    profile_table: Table,
    language: str,
    override: Table | None,
    layers: Sequence[Table],
    common: _Common,
) -> LanguagePack:
    shipped = shipped_texts(profile.base, language)
    texts = dict(shipped.texts) | (_overridden(override, profile) if override else {})
    _check_inherited(profile, language, texts, profile_table)
    notice = _notice(language, layers, shipped.notice)
    said = {"*": texts["key-star"], "#": texts["key-hash"]}
    speech = _values(notice, common, lambda key: said.get(key, key), profile.name)
    page = _values(notice, common, lambda key: key, profile.name)
    return LanguagePack(
        profile.name,
        language,
        notice,
        MappingProxyType({p: render(texts[p], speech) for p in Prompt}),
        MappingProxyType({name: render(texts[name], page) for name in PAGE_TEXTS}),
    )


def _check_inherited(profile: Profile, language: str, texts: Mapping[str, str], own: Table) -> None:
    """A profile whose rules differ from the one it is based on (opt-in where the base only
    notifies, say) must not inherit a text that leaves out a key its callers need."""
    for name, needed in profile.must_say.items():
        missing = [p for p in needed if "{" + p + "}" not in texts[name]]
        if missing:
            raise own.source.error(
                f"{own.key}.texts.{language}.{name}",
                f"the text inherited from profile {profile.base} does not say "
                f"{{{missing[0]}}}, which profile {profile.name} must: write your own",
            )


def _overridden(table: Table, profile: Profile) -> dict[str, str]:
    texts = {name: table.string(name) for name in table.data}
    for name, text in texts.items():
        check_template(name, text, table.at(name), table.source, profile.must_say)
    return texts


def _notice(language: str, layers: Sequence[Table], shipped: Mapping[str, str]) -> NoticeItems:
    values = {}
    for item in ITEMS:
        layer = next((t for t in layers if item in t), None)
        if layer is not None:
            values[item] = layer.string(item)
        elif item in shipped:
            values[item] = shipped[item]
        else:
            raise _missing(layers, language, item)
    return NoticeItems(**{item: one_line(value) for item, value in values.items()})


def _missing(layers: Sequence[Table], language: str, item: str) -> Exception:
    source = layers[-1].source  # the controller table is always there
    if item in _CONTROLLER_ONLY:
        return source.error(f"controller.{item}", f"required: {ITEM_HELP[item]}")
    return source.error(
        f"notice.{language}.{item}",
        f"required: {ITEM_HELP[item]}, in {language}; set it in [notice.{language}], "
        "or in [controller] for every language",
    )


def _values(
    notice: NoticeItems, common: _Common, say: Callable[[str], str], profile: str
) -> dict[str, str]:
    values = {item: getattr(notice, item) for item in ITEMS[1:]}
    url = profile_url(common.public_url, profile, common.default_profile)
    return values | {
        "controller": notice.name,
        "object_key": say(common.keys.objection),
        "full_notice_key": say(common.keys.full_notice),
        "accept_key": say(common.keys.accept),
        "url": url,
        "spoken_url": spoken(url),
    }

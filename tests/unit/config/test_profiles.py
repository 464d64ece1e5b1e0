"""Shipped jurisdiction profiles, the keys they need, and [[consent.rules]]: loaded from real
TOML files, errors naming the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.config.profiles import shipped_names, shipped_profile
from ivr.names import Mode, Prompt
from tests.unit.config import sample

ALL = ["fr", "de", "uk", "ca", "us-one-party", "us-all-party"]
GERMAN = {"purposes": "die Qualität", "recipients": "das Qualitätsteam", "retention": "6 Monate"}


def with_all(tmp_path: Path, changes: dict[str, object] | None = None, rules: str = "") -> Path:
    base = {"consent": {"profiles": ALL}, "notice": {"de": GERMAN}}
    path = sample.write(tmp_path, sample.merged(base, changes or {}))
    if rules:
        path.write_text(path.read_text(encoding="utf-8") + rules, encoding="utf-8")
    return path


def test_every_shipped_profile_loads_and_renders_every_prompt_in_every_language(
    tmp_path: Path,
) -> None:
    assert set(shipped_names()) == set(ALL)
    settings = load_settings(with_all(tmp_path), environ={})
    for name in ALL:
        profile = settings.consent.profiles[name]
        for language in profile.languages:
            texts = settings.texts(name, language)
            assert set(texts) == set(Prompt)
            assert all(text and "{" not in text for text in texts.values()), (name, language)


@pytest.mark.parametrize(
    ("name", "mode", "objection"),
    [
        ("fr", Mode.NOTICE, True),
        ("de", Mode.OPT_IN, True),
        ("uk", Mode.NOTICE, True),
        ("ca", Mode.NOTICE, True),
        ("us-one-party", Mode.NOTICE, False),
        ("us-all-party", Mode.OPT_IN, True),
    ],
)
def test_each_profile_says_the_keys_its_rules_need(
    tmp_path: Path, name: str, mode: Mode, objection: bool
) -> None:
    profile = shipped_profile(name)
    assert (profile.mode, profile.offers_objection) == (mode, objection)
    settings = load_settings(
        with_all(tmp_path, {"consent": {"keys": {"accept": "4", "object": "7"}}}), environ={}
    )
    for language in profile.languages:
        short = settings.texts(name, language)[Prompt.NOTICE_SHORT]
        said = {word.strip(".,") for word in short.split()}
        assert ("4" in said) is (mode is Mode.OPT_IN), (name, language, short)
        assert ("7" in said) is objection, (name, language, short)


def test_an_override_that_drops_the_accept_key_is_refused(tmp_path: Path) -> None:
    short = "Press {object_key} to object, {full_notice_key} for details."
    texts: dict[str, object] = {"profiles": {"de": {"texts": {"en": {"notice-short": short}}}}}
    with pytest.raises(ConfigError, match=r"profiles\.de\.texts\.en\.notice-short.*accept_key"):
        load_settings(with_all(tmp_path, texts), environ={})


def test_notice_only_profiles_need_no_objection_key(tmp_path: Path) -> None:
    short = {
        "notice-short": "Recorded by {controller} for {purposes}; press {full_notice_key} for more."
    }
    changes: dict[str, object] = {"profiles": {"us-one-party": {"texts": {"en": short}}}}
    settings = load_settings(with_all(tmp_path, changes), environ={})
    assert "press 1 for more" in settings.texts("us-one-party", "en")[Prompt.NOTICE_SHORT]


def test_the_three_keys_must_differ(tmp_path: Path) -> None:
    path = with_all(tmp_path, {"consent": {"keys": {"accept": "9"}}})
    with pytest.raises(ConfigError, match=r"consent\.keys\.object.*consent\.keys\.accept|accept"):
        load_settings(path, environ={})


def test_unrecorded_notice_is_same_or_short(tmp_path: Path) -> None:
    settings = load_settings(
        with_all(tmp_path, {"profiles": {"uk": {"unrecorded_notice": "short"}}}), environ={}
    )
    assert settings.consent.profiles["uk"].unrecorded_notice == "short"
    assert settings.consent.profiles["fr"].unrecorded_notice == "same"
    bad = with_all(tmp_path, {"profiles": {"uk": {"unrecorded_notice": "none"}}})
    with pytest.raises(ConfigError, match=r"profiles\.uk\.unrecorded_notice"):
        load_settings(bad, environ={})


RULES = """
[[consent.rules]]
profile = "uk"
route = ["uk-sales", "uk-care"]

[[consent.rules]]
profile = "de"
caller_country = ["+49", "43"]
language = "en"

[[consent.rules]]
profile = "us"
caller_country = ["1"]
agent_state = "NY"
"""


def test_rules_are_read_in_order(tmp_path: Path) -> None:
    settings = load_settings(with_all(tmp_path, rules=RULES), environ={})
    rules = settings.consent.rules
    assert [(r.index, r.profile) for r in rules] == [(1, "uk"), (2, "de"), (3, "us")]
    assert rules[0].routes == ("uk-sales", "uk-care")
    assert rules[1].caller_countries == ("49", "43")
    assert (rules[1].language, rules[2].agent_state) == ("en", "NY")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('profile = "es"\nroute = "x"', r"rules\[1\]\.profile.*not in consent\.profiles"),
        ('profile = "uk"', r"rules\[1\]\.profile.*at least one of"),
        ('profile = "uk"\ncaller_country = ["+0049"]', r"rules\[1\]\.caller_country"),
        ('profile = "uk"\ncalled = ["08 00"]', r"rules\[1\]\.called"),
        ('profile = "us"\ncaller_country = ["1"]', r"rules\[1\]\.agent_state.*required"),
        ('profile = "us"\ncaller_country = ["1"]\nagent_state = "New York"', r"agent_state"),
        ('profile = "uk"\nroute = "x"\nagent_state = "NY"', r"agent_state.*only"),
        ('profile = "uk"\nroute = "x"\ncolour = "red"', r"rules\[1\]\.colour.*unknown key"),
    ],
)
def test_a_bad_rule_is_refused_naming_it_and_the_file(
    tmp_path: Path, rule: str, message: str
) -> None:
    path = with_all(tmp_path, rules=f"\n[[consent.rules]]\n{rule}\n")
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(path, environ={})
    assert str(path) in str(raised.value)


def test_us_needs_both_us_profiles(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"consent": {"profiles": ["fr", "us-one-party"]}})
    rule = '\n[[consent.rules]]\nprofile = "us"\ncaller_country = ["1"]\nagent_state = "NY"\n'
    path.write_text(path.read_text(encoding="utf-8") + rule, encoding="utf-8")
    with pytest.raises(ConfigError, match="us-all-party"):
        load_settings(path, environ={})


OWN_SHORT = {
    "fr": "Avec votre accord, {controller} enregistre pour {purposes}. "
    "Touche {accept_key} pour accepter, {object_key} pour retirer votre accord, "
    "{full_notice_key} pour tout savoir.",
    "en": "With your consent, {controller} records for {purposes}. Press {accept_key} to agree, "
    "{object_key} to withdraw, {full_notice_key} for details.",
}


def own_profile(tmp_path: Path, table: dict[str, object]) -> Path:
    return sample.write(
        tmp_path, {"consent": {"profiles": ["fr", "acme-eu"]}, "profiles": {"acme-eu": table}}
    )


def test_a_profile_of_ones_own_starts_from_a_shipped_one(tmp_path: Path) -> None:
    texts = {lang: {"notice-short": text} for lang, text in OWN_SHORT.items()}
    table: dict[str, object] = {
        "based_on": "fr",
        "mode": "opt-in",
        "description": "Acme, EU",
        "texts": texts,
    }
    settings = load_settings(own_profile(tmp_path, table), environ={})
    profile = settings.consent.profiles["acme-eu"]
    assert (profile.mode, profile.base, profile.languages) == (Mode.OPT_IN, "fr", ("fr", "en"))
    assert "Touche 2 pour accepter" in settings.texts("acme-eu", "fr")[Prompt.NOTICE_SHORT]
    own_page = "calls.example.org/legal-notice?profile=acme-eu"  # its own page, said
    assert settings.texts("acme-eu", "en")[Prompt.NOTICE_FULL] == settings.texts("fr", "en")[
        Prompt.NOTICE_FULL
    ].replace("calls.example.org/legal-notice", own_page)


def test_an_inherited_text_missing_a_key_the_new_rules_need_is_refused(tmp_path: Path) -> None:
    path = own_profile(tmp_path, {"based_on": "fr", "mode": "opt-in"})
    with pytest.raises(
        ConfigError, match=r"profiles\.acme-eu\.texts\.fr\.notice-short.*accept_key"
    ):
        load_settings(path, environ={})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"based_on": "es"}, r"profiles\.acme-eu\.based_on: unknown profile"),
        ({"based_on": "fr", "mode": "maybe"}, r"profiles\.acme-eu\.mode"),
    ],
)
def test_bad_profiles_of_ones_own(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(own_profile(tmp_path, table), environ={})


def test_an_unknown_profile_says_how_to_define_one(tmp_path: Path) -> None:
    path = sample.write(tmp_path, {"consent": {"profiles": ["fr", "acme-eu"]}})
    with pytest.raises(ConfigError, match=r"consent\.profiles.*based_on"):
        load_settings(path, environ={})

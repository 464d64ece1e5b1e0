"""The legal notice items: where an administrator writes them, and that none may be missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError
from tests.unit.config import sample
from tests.unit.config.sample import DROP


def error(tmp_path: Path, changes: dict[str, object]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        sample.settings(tmp_path, changes)
    return info.value


def test_controller_items_serve_every_language(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path)
    assert settings.pack("fr", "fr").notice.name == "Acme"
    assert settings.pack("fr", "en").notice.dpo == "dpo@acme.example"


def test_the_most_specific_layer_wins(tmp_path: Path) -> None:
    settings = sample.settings(
        tmp_path,
        {
            "controller": {"retention": "one year everywhere"},
            "notice": {"fr": {"retention": DROP}},
            "profiles": {"fr": {"notice": {"en": {"retention": "26 weeks"}}}},
        },
    )
    assert settings.pack("fr", "fr").notice.retention == "one year everywhere"
    assert settings.pack("fr", "en").notice.retention == "26 weeks"


def test_rights_and_authority_have_the_profiles_defaults(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path)
    assert "CNIL" in settings.pack("fr", "fr").notice.complaint
    assert "CNIL" in settings.pack("fr", "en").notice.complaint
    for word in ("accès", "rectification", "effacement", "opposition"):
        assert word in settings.pack("fr", "fr").notice.rights
    for word in ("access", "rectify", "erase", "object"):
        assert word in settings.pack("fr", "en").notice.rights


def test_items_are_one_line(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"controller": {"contact": "1 rue X\n  75001 Paris"}})
    assert settings.pack("fr", "fr").notice.contact == "1 rue X 75001 Paris"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"notice": {"en": {"retention": DROP}}}, "notice.en.retention"),
        ({"notice": {"fr": {"purposes": DROP}}}, "notice.fr.purposes"),
        ({"controller": {"name": DROP}}, "controller.name"),
        ({"controller": {"dpo": DROP}}, "controller.dpo"),
    ],
)
def test_a_missing_item_refuses_start_up_naming_it(
    tmp_path: Path, changes: dict[str, object], key: str
) -> None:
    exc = error(tmp_path, changes)
    assert exc.key == key
    assert "required" in str(exc)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"controller": {"dpo": ""}}, "controller.dpo"),
        ({"notice": {"en": {"recipients": "   "}}}, "notice.en.recipients"),
        ({"notice": {"fr": {"complaint": ""}}}, "notice.fr.complaint"),
    ],
)
def test_an_empty_item_is_refused(tmp_path: Path, changes: dict[str, object], key: str) -> None:
    exc = error(tmp_path, changes)
    assert (exc.key, exc.message) == (key, "must not be empty")


def test_a_language_no_profile_speaks_is_refused(tmp_path: Path) -> None:
    exc = error(tmp_path, {"notice": {"de": {"purposes": "Schulung"}}})
    assert exc.key == "notice.de"
    assert 'no enabled profile speaks "de"' in str(exc)


def test_unknown_profiles_are_refused_with_a_hint(tmp_path: Path) -> None:
    exc = error(tmp_path, {"consent": {"default_profile": "fx"}})
    assert exc.key == "consent.default_profile"
    assert 'unknown profile "fx"; did you mean "fr"?' in str(exc)


def test_settings_of_a_profile_not_enabled_are_refused(tmp_path: Path) -> None:
    exc = error(tmp_path, {"profiles": {"de": {"languages": ["de"]}}})
    assert exc.key == "profiles.de"
    assert "not in consent.profiles" in str(exc)


def test_a_profile_may_drop_a_language(tmp_path: Path) -> None:
    settings = sample.settings(
        tmp_path, {"profiles": {"fr": {"languages": ["fr"]}}, "notice": {"en": DROP}}
    )
    assert settings.consent.profiles["fr"].languages == ("fr",)
    assert {(p, lang) for p, lang, _ in settings.prompt_keys()} == {("fr", "fr")}


def test_a_profile_speaks_only_the_languages_it_has_texts_for(tmp_path: Path) -> None:
    exc = error(tmp_path, {"profiles": {"fr": {"languages": ["fr", "de"]}}})
    assert exc.key == "profiles.fr.languages"
    assert "has texts in fr, en" in str(exc)


def test_the_default_language_is_one_of_the_languages(tmp_path: Path) -> None:
    exc = error(tmp_path, {"profiles": {"fr": {"languages": ["en"], "default_language": "fr"}}})
    assert exc.key == "profiles.fr.default_language"
    settings = sample.settings(tmp_path, {"profiles": {"fr": {"default_language": "en"}}})
    assert settings.consent.profiles["fr"].default_language == "en"

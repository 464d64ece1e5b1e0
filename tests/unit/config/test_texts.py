"""Rendered texts: the spoken keys always come from the configuration; overrides are checked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.config.profiles import shipped_names, shipped_profile, shipped_texts
from ivr.names import Prompt
from tests.unit.config import sample

SHORT, FULL, CONFIRMED = Prompt.NOTICE_SHORT, Prompt.NOTICE_FULL, Prompt.OBJECTION_CONFIRMED
KEYS = {"consent": {"keys": {"object": "7", "full_notice": "3"}}}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_short_notice_says_the_configured_keys(tmp_path: Path, language: str) -> None:
    text = sample.settings(tmp_path, KEYS).texts("fr", language)[SHORT]
    assert " 7" in text
    assert " 3" in text
    assert " 9" not in text
    assert " 1" not in text
    assert "Acme" in text


@pytest.mark.parametrize(
    ("language", "star", "hash_"), [("fr", "étoile", "dièse"), ("en", "star", "hash")]
)
def test_star_and_hash_are_said_in_words(
    tmp_path: Path, language: str, star: str, hash_: str
) -> None:
    changes = {"consent": {"keys": {"object": "*", "full_notice": "#"}}}
    settings = sample.settings(tmp_path, changes)
    text = settings.texts("fr", language)[SHORT]
    assert star in text
    assert hash_ in text
    assert "*" not in text
    assert "*" in settings.pack("fr", language).page["page-objection-text"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_full_notice_says_every_item(tmp_path: Path, language: str) -> None:
    items = {
        "name": "NAME-X",
        "contact": "CONTACT-X",
        "dpo": "DPO-X",
        "purposes": "PURPOSES-X",
        "legal_basis": "BASIS-X",
        "recipients": "RECIPIENTS-X",
        "retention": "RETENTION-X",
        "rights": "RIGHTS-X",
        "complaint": "COMPLAINT-X",
    }
    own = {"profiles": {"fr": {"notice": {language: items}}}}
    settings = sample.settings(tmp_path, {**own, **KEYS})
    text = settings.texts("fr", language)[FULL]
    for value in items.values():
        assert value in text
    assert "calls.example.org/legal-notice" in text
    assert "https://" not in text
    assert " 7" in text


def test_spoken_texts_are_one_line(tmp_path: Path) -> None:
    for text in sample.settings(tmp_path).texts("fr", "fr").values():
        assert "\n" not in text
        assert "  " not in text


def test_the_version_is_the_hash_of_the_text(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path)
    text = settings.texts("fr", "en")[SHORT]
    assert settings.text_hash("fr", "en", SHORT) == hashlib.sha256(text.encode()).hexdigest()
    again = sample.settings(tmp_path)
    assert again.text_hash("fr", "en", SHORT) == settings.text_hash("fr", "en", SHORT)


def test_changing_the_object_key_changes_only_the_texts_that_say_it(tmp_path: Path) -> None:
    before = sample.settings(tmp_path)
    after = sample.settings(tmp_path, {"consent": {"keys": {"object": "7"}}})
    for profile, language, prompt in before.prompt_keys():
        changed = before.text_hash(profile, language, prompt) != after.text_hash(
            profile, language, prompt
        )
        says_keys = prompt not in (CONFIRMED, Prompt.NOTICE_UNRECORDED)
        assert changed == says_keys, (language, prompt)


def test_an_administrator_can_replace_a_text(tmp_path: Path) -> None:
    changes = {
        "profiles": {
            "fr": {
                "texts": {
                    "en": {
                        "objection-confirmed": "Done.\n  We stopped.",
                        "notice-short": "{controller} records for {purposes}. "
                        "Key {object_key} objects, "
                        "{full_notice_key} tells more. {{not a placeholder}}",
                    }
                }
            }
        }
    }
    settings = sample.settings(tmp_path, changes)
    assert settings.texts("fr", "en")[CONFIRMED] == "Done. We stopped."
    assert settings.texts("fr", "en")[SHORT] == (
        "Acme records for training our advisers. Key 9 objects, 1 tells more. {not a placeholder}"
    )
    assert settings.texts("fr", "fr")[CONFIRMED] != "Done. We stopped."


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("notice-short", "Press 9 to object, {full_notice_key} for more.", "must say {object_key}"),
        ("notice-short", "{object_key} objects.", "must say {full_notice_key}"),
        ("notice-full", "{object_key}", "must say {controller}"),
        (
            "objection-confirmed",
            "{objet_key}",
            'unknown placeholder "{objet_key}"; did you mean "object_key"?',
        ),
        ("objection-confirmed", "{controller.__class__}", "unknown placeholder"),
        ("objection-confirmed", "{controller!r}", "unknown placeholder"),
        ("objection-confirmed", "{}", "unknown placeholder"),
        ("objection-confirmed", "{controller", "(write {{ and }} for literal braces)"),
        ("key-star", "{object_key}", "takes no placeholder"),
    ],
)
def test_overrides_are_checked(tmp_path: Path, name: str, text: str, message: str) -> None:
    changes = {"profiles": {"fr": {"texts": {"fr": {name: text}}}}}
    with pytest.raises(ConfigError) as info:
        sample.settings(tmp_path, changes)
    assert info.value.key == f"profiles.fr.texts.fr.{name}"
    assert message in str(info.value)


def test_an_unknown_text_name_gets_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='did you mean "notice-short"'):
        sample.settings(tmp_path, {"profiles": {"fr": {"texts": {"fr": {"notice-shrot": "x"}}}}})


def test_texts_of_a_language_the_profile_does_not_speak_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        sample.settings(tmp_path, {"profiles": {"fr": {"texts": {"de": {"key-star": "Stern"}}}}})
    assert info.value.key == "profiles.fr.texts.de"


def test_every_shipped_profile_and_language_is_valid() -> None:
    assert "fr" in shipped_names()
    for name in shipped_names():
        profile = shipped_profile(name)
        assert profile.default_language in profile.languages
        for language in profile.languages:
            assert shipped_texts(name, language).texts  # validated while read


@pytest.mark.parametrize(
    ("short", "missing"),
    [
        ("Recorded. Key {object_key} objects, {full_notice_key} tells more.", "controller"),
        ("{controller} records. Key {object_key} objects, {full_notice_key} more.", "purposes"),
    ],
)
def test_a_first_layer_without_the_controller_or_the_purpose_is_refused(
    tmp_path: Path, short: str, missing: str
) -> None:
    changes = {"profiles": {"fr": {"texts": {"en": {"notice-short": short}}}}}
    with pytest.raises(ConfigError, match=rf"notice-short: must say \{{{missing}\}}"):
        load_settings(sample.write(tmp_path, changes), environ={})


@pytest.mark.parametrize("profile", shipped_names())
def test_every_shipped_full_notice_says_transfers_requirement_and_portability(
    profile: str,
) -> None:
    for language in shipped_profile(profile).languages:
        full = shipped_texts(profile, language).texts[Prompt.NOTICE_FULL]
        for item in ("{transfers}", "{requirement}", "{portability}"):
            assert item in full, (profile, language, item)


def test_a_full_notice_override_without_the_transfers_is_refused(tmp_path: Path) -> None:
    full = (
        "{controller} {contact} {dpo} {purposes} {legal_basis} {recipients} {retention} "
        "{requirement} {portability} {rights} {complaint} {spoken_url} {object_key}"
    )
    changes = {"profiles": {"fr": {"texts": {"en": {"notice-full": full}}}}}
    with pytest.raises(ConfigError, match=r"notice-full: must say \{transfers\}"):
        load_settings(sample.write(tmp_path, changes), environ={})

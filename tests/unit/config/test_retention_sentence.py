"""The notice's retention sentence cannot contradict [retention]: a caller told "six months"
is not kept a year (real configuration files, each profile and language)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.config.retention_notice import stated_days
from tests.unit.config import sample


def test_a_sentence_contradicting_the_purge_is_refused(tmp_path: Path) -> None:
    changes = {"retention": {"audio_days": 365}}  # the sample's notice says "six mois"
    with pytest.raises(ConfigError) as error:
        load_settings(sample.write(tmp_path, changes), environ={})
    assert error.value.key == "notice.fr.retention"
    assert "keeps recordings 365 days" in str(error.value)


def test_a_profile_s_own_period_is_checked_against_its_own_sentence(tmp_path: Path) -> None:
    changes = {"retention": {"profiles": {"fr": {"audio_days": 30}}}}
    with pytest.raises(ConfigError, match="profile fr"):
        load_settings(sample.write(tmp_path, changes), environ={})


def test_an_agreeing_sentence_in_words_or_digits_is_accepted(tmp_path: Path) -> None:
    changes = {
        "retention": {"audio_days": 365},
        "notice": {"fr": {"retention": "un an"}, "en": {"retention": "365 days, then erased"}},
    }
    settings = load_settings(sample.write(tmp_path, changes), environ={})
    assert settings.pack("fr", "fr").notice.retention == "un an"


@pytest.mark.parametrize(
    ("text", "language", "days"),
    [
        ("six mois", "fr", [183]),
        ("zwei Jahre", "de", [730]),
        ("90 days or 1 year", "en", [90, 365]),
    ],
)
def test_durations_are_read_in_words_and_digits(text: str, language: str, days: list[int]) -> None:
    assert [round(d) for d in stated_days(text, language)] == days


def test_a_consent_basis_with_portability_denied_is_refused(tmp_path: Path) -> None:
    changes = {"notice": {"en": {"legal_basis": "your consent, GDPR article 6(1)(a)"}}}
    with pytest.raises(ConfigError, match="makes data portability apply") as error:
        load_settings(sample.write(tmp_path, changes), environ={})
    assert error.value.key == "notice.en.portability"


def test_a_consent_basis_with_portability_explained_is_accepted(tmp_path: Path) -> None:
    changes = {
        "notice": {
            "en": {
                "legal_basis": "your consent, GDPR article 6(1)(a)",
                "portability": "Ask the contact above for your recording as a WAV file.",
            }
        }
    }
    settings = load_settings(sample.write(tmp_path, changes), environ={})
    assert "WAV" in settings.pack("fr", "en").notice.portability

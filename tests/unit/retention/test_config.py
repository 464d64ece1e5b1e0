"""The compliance sections of the configuration: defaults, errors naming file and key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from ivr.config import ConfigError, RetentionPeriod
from tests.unit.config import sample

KEY = "ab" * 32


def test_defaults(tmp_path: Path) -> None:
    rules = sample.settings(tmp_path, {"ledger": {"path": "data/ledger.sqlite3"}}).compliance
    assert rules.retention.period("fr") == RetentionPeriod(180, 365)
    assert rules.retention.purge_at == time(3, 30)
    assert rules.audit_path == tmp_path / "data" / "audit.sqlite3"
    assert (rules.recording_key, rules.erasure_secret) == (None, None)


def test_per_profile_periods(tmp_path: Path) -> None:
    changes = {
        "retention": {"data_days": 400, "profiles": {"fr": {"audio_days": 90}}},
        "notice": {"fr": {"retention": "90 jours"}, "en": {"retention": "90 days"}},
    }
    rules = sample.settings(tmp_path, changes).compliance.retention
    assert rules.period("fr") == RetentionPeriod(90, 400)
    assert rules.period("other") == RetentionPeriod(180, 400)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"retention": {"audio_dayz": 3}}, "retention.audio_dayz", "did you mean"),
        ({"retention": {"audio_days": 0}}, "retention.audio_days", "integer from 1"),
        ({"retention": {"profiles": {"de": {}}}}, "retention.profiles.de", "not in consent"),
        ({"retention": {"purge_at": "25:00"}}, "retention.purge_at", "HH:MM"),
        ({"encryption": {"key": "abc"}}, "encryption.key", "64 hex digits"),
        ({"encryption": {"key": KEY, "key_file": "k"}}, "encryption.key", "not both"),
        ({"audit": {"paht": "x"}}, "audit.paht", "unknown key"),
    ],
)
def test_errors_name_the_file_and_key(
    tmp_path: Path, changes: dict[str, object], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        sample.settings(tmp_path, changes)
    assert caught.value.key == key
    assert caught.value.path == tmp_path / "ivr.toml"
    assert message in str(caught.value)


def test_a_bad_key_file_is_named_but_never_shown(tmp_path: Path) -> None:
    (tmp_path / "k").write_text("not-a-key-but-secret\n")
    with pytest.raises(ConfigError) as caught:
        sample.settings(tmp_path, {"encryption": {"key_file": "k"}})
    assert "not-a-key-but-secret" not in str(caught.value)
    assert str(tmp_path / "k") in str(caught.value)


def test_keys_from_the_environment_and_files(tmp_path: Path) -> None:
    (tmp_path / "old.key").write_text("cd" * 32)
    changes = {"encryption": {"previous_key_files": ["old.key"]}}
    rules = sample.settings(tmp_path, changes, {"IVR_ENCRYPTION_KEY": KEY}).compliance
    assert rules.recording_key is not None
    assert rules.recording_key.reveal() == KEY
    assert KEY not in repr(rules)
    assert [k.reveal() for k in rules.previous_keys] == ["cd" * 32]

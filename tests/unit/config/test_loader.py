"""Loading: defaults, the file, and one clear error naming the file and the dotted key."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from ivr.config import ConfigError, Mode, load_settings
from tests.unit.config import sample
from tests.unit.config.sample import DROP, SECRET


def error(tmp_path: Path, changes: dict[str, object]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        sample.settings(tmp_path, changes)
    return info.value


def test_defaults_fill_everything_not_written(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path)
    assert (settings.ami.host, settings.ami.port, settings.ami.username) == (
        "127.0.0.1",
        5038,
        "ivr",
    )
    assert (settings.ami.action_timeout, settings.ami.ping_interval) == (5.0, 10.0)
    assert settings.recordings.dir == Path("/var/spool/asterisk/monitor")
    assert settings.recordings.format == "wav"
    assert settings.ledger.path == Path("/var/lib/ivr/ledger.sqlite3")
    assert settings.http.listen == "127.0.0.1:8480"
    assert settings.prompts.dir == Path("/usr/share/asterisk/sounds")
    assert settings.prompts.studio_dir is None
    assert (settings.consent.keys.full_notice, settings.consent.keys.objection) == ("1", "9")
    profile = settings.consent.profiles["fr"]
    assert settings.consent.default_profile == "fr"
    assert (profile.mode, profile.languages, profile.default_language) == (
        Mode.NOTICE,
        ("fr", "en"),
        "fr",
    )


def test_the_secret_never_shows(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path)
    assert settings.ami.secret.reveal() == SECRET
    for text in (repr(settings), str(settings), repr(settings.ami), str(settings.ami.secret)):
        assert SECRET not in text
    with pytest.raises(TypeError):
        pickle.dumps(settings.ami.secret)


def test_secret_file_is_relative_to_the_config_and_loses_its_newline(tmp_path: Path) -> None:
    (tmp_path / "ami.secret").write_text("from-a-file\n")
    settings = sample.settings(tmp_path, {"ami": {"secret": DROP, "secret_file": "ami.secret"}})
    assert settings.ami.secret.reveal() == "from-a-file"
    assert str(tmp_path / "ami.secret") in settings.ami.secret.source


@pytest.mark.parametrize(
    ("ami", "message"),
    [
        ({"secret_file": "x"}, "set exactly one of secret and secret_file (both are set)"),
        ({"secret": DROP}, "set exactly one of secret and secret_file (neither is set)"),
    ],
)
def test_exactly_one_secret(tmp_path: Path, ami: dict[str, object], message: str) -> None:
    exc = error(tmp_path, {"ami": ami})
    assert str(exc) == f"{tmp_path / 'ivr.toml'}: ami.secret: {message}"


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    exc = error(tmp_path, {"ami": {"secret": DROP, "secret_file": "nope.secret"}})
    assert exc.key == "ami.secret_file"
    assert "nope.secret" in str(exc)


def test_a_bad_key_names_file_key_and_value(tmp_path: Path) -> None:
    exc = error(tmp_path, {"consent": {"keys": {"object": "99"}}})
    path = tmp_path / "ivr.toml"
    assert str(exc) == f'{path}: consent.keys.object: must be one key among 0-9 * #, got "99"'
    assert (exc.path, exc.key, exc.env) == (path, "consent.keys.object", None)


@pytest.mark.parametrize(("written", "key"), [(7, "7"), ("*", "*"), ("#", "#"), ("0", "0")])
def test_keys_may_be_any_dtmf_key(tmp_path: Path, written: object, key: str) -> None:
    settings = sample.settings(tmp_path, {"consent": {"keys": {"object": written}}})
    assert settings.consent.keys.objection == key


def test_the_two_keys_differ(tmp_path: Path) -> None:
    exc = error(tmp_path, {"consent": {"keys": {"object": "1"}}})
    assert exc.key == "consent.keys.object"
    assert "must differ from consent.keys.full_notice" in str(exc)


@pytest.mark.parametrize(
    ("changes", "key", "hint"),
    [
        ({"ami": {"secert": "x"}}, "ami.secert", 'did you mean "secret"?'),
        ({"promts": {"dir": "/x"}}, "promts", 'did you mean "prompts"?'),
        ({"notice": {"fr": {"purpose": "x"}}}, "notice.fr.purpose", 'did you mean "purposes"?'),
        ({"consent": {"keys": {"objection": "8"}}}, "consent.keys.objection", '"object"?'),
        ({"ledger": {"zzz": 1}}, "ledger.zzz", "expected one of: path"),
    ],
)
def test_unknown_keys_are_refused_with_a_hint(
    tmp_path: Path, changes: dict[str, object], key: str, hint: str
) -> None:
    exc = error(tmp_path, changes)
    assert exc.key == key
    assert "unknown key" in str(exc)
    assert hint in str(exc)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"ami": {"port": "5038"}}, "ami.port", 'must be an integer from 1 to 65535, got "5038"'),
        ({"ami": {"port": 70000}}, "ami.port", "must be an integer from 1 to 65535, got 70000"),
        ({"ami": {"port": True}}, "ami.port", "must be an integer"),
        ({"ami": {"action_timeout": 0}}, "ami.action_timeout", "must be a number above 0"),
        ({"ami": {"host": ""}}, "ami.host", "must not be empty"),
        ({"recordings": {"format": "mp3"}}, "recordings.format", "must be one of wav"),
        ({"http": {"listen": "8480"}}, "http.listen", 'must be "HOST:PORT"'),
        ({"http": {"public_url": DROP}}, "http.public_url", "required"),
        ({"http": {"public_url": "ftp://x"}}, "http.public_url", "http:// or https://"),
        ({"prompts": {"espeak": {"speed": 5}}}, "prompts.espeak.speed", "from 80 to 450"),
        (
            {"prompts": {"espeak": {"voices": {"fr": "fr; rm"}}}},
            "prompts.espeak.voices.fr",
            "voice",
        ),
        ({"ami": "x"}, "ami", "must be a table"),
        (
            {"prompts": {"espeak": {"voices": {"fe": "fr"}}}},
            "prompts.espeak.voices.fe",
            'no enabled profile speaks "fe"; did you mean "fr"?',
        ),
    ],
)
def test_wrong_values_are_named(
    tmp_path: Path, changes: dict[str, object], key: str, message: str
) -> None:
    exc = error(tmp_path, changes)
    assert exc.key == key
    assert message in str(exc)
    assert str(exc).startswith(f"{tmp_path / 'ivr.toml'}: {key}: ")


def test_ipv6_listen(tmp_path: Path) -> None:
    http = sample.settings(tmp_path, {"http": {"listen": "[::1]:9000"}}).http
    assert (http.listen_host, http.listen_port, http.listen) == ("::1", 9000, "[::1]:9000")


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, {"ledger": {"path": "data/ledger.sqlite3"}})
    assert settings.ledger.path == tmp_path / "data" / "ledger.sqlite3"


def test_syntax_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ivr.toml"
    path.write_text("[ami]\nport = \n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert str(info.value).startswith(f"{path}: not valid TOML: ")
    assert "line 2" in str(info.value)
    assert info.value.key is None


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothing\.toml: cannot read"):
        load_settings(tmp_path / "nothing.toml", environ={})

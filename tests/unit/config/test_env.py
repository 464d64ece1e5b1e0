"""The environment wins over the file, and its errors name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ENV_VARS, ConfigError
from ivr.config.loader import SECTIONS
from ivr.names import Prompt
from tests.unit.config import sample
from tests.unit.config.sample import DROP


def test_every_variable_maps_to_a_key_of_the_file() -> None:
    for var in ENV_VARS:
        section, name = var.key.split(".")
        assert name in SECTIONS[section], var
        assert var.name == "IVR_" + var.key.replace(".", "_").upper()


def test_variables_override_the_file(tmp_path: Path) -> None:
    environ = {
        "IVR_AMI_HOST": "pbx.internal",
        "IVR_AMI_PORT": "6038",
        "IVR_AMI_USERNAME": "consent",
        "IVR_HTTP_LISTEN": "0.0.0.0:9000",
        "IVR_HTTP_PUBLIC_URL": "https://other.example/notice",
    }
    settings = sample.settings(tmp_path, {"ami": {"host": "10.0.0.1"}}, environ)
    assert (settings.ami.host, settings.ami.port, settings.ami.username) == (
        "pbx.internal",
        6038,
        "consent",
    )
    assert settings.http.listen == "0.0.0.0:9000"
    assert "other.example/notice" in settings.texts("fr", "fr")[Prompt.NOTICE_FULL]
    assert set(settings.environment) == set(environ)


def test_the_secret_from_the_environment_replaces_a_secret_file(tmp_path: Path) -> None:
    changes = {"ami": {"secret": DROP, "secret_file": "/nonexistent"}}
    settings = sample.settings(tmp_path, changes, {"IVR_AMI_SECRET": "from-env"})
    assert settings.ami.secret.reveal() == "from-env"
    assert settings.ami.secret.source == "IVR_AMI_SECRET"


def test_a_secret_file_from_the_environment_replaces_the_secret(tmp_path: Path) -> None:
    secret = tmp_path / "s"
    secret.write_text("filed\n")
    settings = sample.settings(tmp_path, None, {"IVR_AMI_SECRET_FILE": str(secret)})
    assert settings.ami.secret.reveal() == "filed"


def test_both_secret_variables_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not both"):
        sample.settings(tmp_path, None, {"IVR_AMI_SECRET": "a", "IVR_AMI_SECRET_FILE": "/b"})


def test_empty_variables_count_as_unset(tmp_path: Path) -> None:
    settings = sample.settings(tmp_path, None, {"IVR_AMI_SECRET": "", "IVR_AMI_PORT": ""})
    assert settings.ami.secret.reveal() == sample.SECRET
    assert settings.ami.port == 5038


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", 'must be an integer, got "abc"'), ("70000", "from 1 to 65535, got 70000")],
)
def test_a_bad_variable_is_named(tmp_path: Path, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        sample.settings(tmp_path, None, {"IVR_AMI_PORT": value})
    exc = info.value
    assert (exc.env, exc.key, exc.path) == ("IVR_AMI_PORT", "ami.port", None)
    assert str(exc).startswith("environment IVR_AMI_PORT (ami.port): ")
    assert message in str(exc)


def test_relative_paths_from_the_environment_are_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "conf"
    folder.mkdir()
    settings = sample.settings(folder, None, {"IVR_LEDGER_PATH": "here.sqlite3"})
    assert settings.ledger.path == tmp_path / "here.sqlite3"


def test_the_process_environment_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ivr.config import load_settings

    monkeypatch.setenv("IVR_RECORDINGS_DIR", str(tmp_path))
    assert load_settings(sample.write(tmp_path)).recordings.dir == tmp_path

"""What `ivr run --sandbox` leaves for `ivr simulate`: the service's address and an admin token,
private to root, reused across runs, read back by the simulator when nothing is set."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ivr.cli import simulate_cmd
from ivr.sandbox import access
from ivr.simulate.errors import TargetError


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IVR_SANDBOX_CACHE", str(tmp_path))
    monkeypatch.delenv("IVR_API_TOKEN", raising=False)
    monkeypatch.delenv("IVR_API_URL", raising=False)
    return tmp_path


def args(**given: object) -> argparse.Namespace:
    defaults: dict[str, object] = {"no_ledger": False, "targets": None, "pbx": "pbx", "api": None}
    return argparse.Namespace(**(defaults | given))


def test_the_token_file_is_private_and_the_token_survives_a_restart() -> None:
    first = access.issue("pbx", "http://127.0.0.1:8480")
    assert first.token.startswith(access.TOKEN_PREFIX)
    assert access.access_path("pbx").stat().st_mode & 0o777 == 0o600
    again = access.issue("pbx", "http://127.0.0.1:9000")
    assert again.token == first.token
    assert access.read("pbx") == again
    assert again.dashboard == "http://127.0.0.1:9000/dashboard/"


def test_a_token_given_in_the_environment_is_the_one_kept() -> None:
    access.issue("pbx", "http://127.0.0.1:8480")
    assert access.issue("pbx", "http://127.0.0.1:8480", "mine").token == "mine"


def test_simulate_against_the_sandbox_needs_nothing_set() -> None:
    issued = access.issue("pbx", "http://127.0.0.1:18480")
    api = simulate_cmd._api(args())
    assert api is not None
    assert (api.base_url, api.token) == ("http://127.0.0.1:18480", issued.token)


def test_the_environment_and_options_still_win(monkeypatch: pytest.MonkeyPatch) -> None:
    access.issue("pbx", "http://127.0.0.1:18480")
    monkeypatch.setenv("IVR_API_TOKEN", "from-env")
    api = simulate_cmd._api(args(api="127.0.0.1:9999"))
    assert api is not None
    assert (api.base_url, api.token) == ("http://127.0.0.1:9999", "from-env")


def test_explicit_targets_never_borrow_a_sandbox_token() -> None:
    access.issue("pbx", "http://127.0.0.1:18480")
    with pytest.raises(TargetError, match="IVR_API_TOKEN"):
        simulate_cmd._api(args(targets=[Path("a.json"), Path("b.json")]))


def test_a_garbled_access_file_is_ignored() -> None:
    access.access_path("pbx").write_text("{", encoding="utf-8")
    assert access.read("pbx") is None
    with pytest.raises(TargetError, match="IVR_API_TOKEN"):
        simulate_cmd._api(args())

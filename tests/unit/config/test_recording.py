"""[recording] and [agents]: defaults (fail closed), the two modes, periods, the agents' keys,
and an error naming the file and the dotted key for every mistake."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ivr.config import ConfigError, Settings, load_settings
from ivr.config.recording import AgentSettings, RecordingMode, RecordingPeriod, RecordingPolicy
from ivr.doctor import local
from ivr.doctor.findings import Level
from tests.unit.config import sample

WEEKDAYS = {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}


def write(
    folder: Path,
    recording: Mapping[str, Any] | None = None,
    periods: Sequence[Mapping[str, Any]] = (),
    agents: Mapping[str, Any] | None = None,
) -> Path:
    changes = {"recording": recording or {}, "agents": agents or {}}
    path = sample.write(folder, {k: v for k, v in changes.items() if v})
    # sample.dumps writes no arrays of tables: append them (TOML allows them after [recording]).
    with path.open("a", encoding="utf-8") as handle:
        for period in periods:
            handle.write("\n[[recording.periods]]\n")
            handle.writelines(f"{key} = {json.dumps(value)}\n" for key, value in period.items())
    return path


def load(folder: Path, *args: Any, **kwargs: Any) -> Settings:
    return load_settings(write(folder, *args, **kwargs), environ={})


def error(folder: Path, *args: Any, **kwargs: Any) -> tuple[str, str]:
    """(dotted key, message) of the error; checks that it names the file and the key."""
    path = write(folder, *args, **kwargs)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    exc = info.value
    assert exc.path == path
    assert exc.key is not None
    assert str(exc) == f"{path}: {exc.key}: {exc.message}"
    return exc.key, exc.message


# --- defaults --------------------------------------------------------------------------------


def test_without_the_sections_nothing_is_recorded_and_agents_have_default_keys(
    tmp_path: Path,
) -> None:
    settings = load(tmp_path)
    assert settings.recording == RecordingPolicy()
    assert settings.recording.mode is RecordingMode.SAMPLED
    assert (settings.recording.fraction, settings.recording.periods) == (0.0, ())
    assert settings.recording.timezone == "UTC"
    assert settings.recording.records_nothing
    assert settings.agents == AgentSettings("*1", "*0", "*7", tone=True, key_timeout=2.0)


def test_a_sampled_policy_with_its_periods(tmp_path: Path) -> None:
    periods = [
        {**WEEKDAYS, "days": ["fri", "mon"], "groups": ["team-a", "team-b"], "label": "office"},
        {"days": ["sat"], "from": "00:00", "to": "24:00"},
    ]
    recording = {"fraction": 0.2, "timezone": "Europe/Paris"}
    policy = load(tmp_path, recording, periods).recording
    assert (policy.mode, policy.fraction, policy.timezone) == (
        RecordingMode.SAMPLED,
        0.2,
        "Europe/Paris",
    )
    assert policy.periods == (
        RecordingPeriod(("mon", "fri"), 9 * 60, 18 * 60, ("team-a", "team-b"), "office"),
        RecordingPeriod(("sat",), 0, 24 * 60, None, ""),
    )
    assert not policy.records_nothing
    assert str(policy.periods[0]) == "office: mon,fri 09:00-18:00 (team-a, team-b)"
    assert str(policy.periods[1]) == "sat 00:00-24:00 (every group)"


def test_periods_with_a_zero_fraction_record_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, {"fraction": 0}, [WEEKDAYS]).recording.records_nothing


def test_a_legal_obligation(tmp_path: Path) -> None:
    recording = {"mode": "legal-obligation", "legal_reference": " MiFID II art. 16(7) "}
    policy = load(tmp_path, recording).recording
    assert policy.mode is RecordingMode.LEGAL_OBLIGATION
    assert policy.legal_reference == "MiFID II art. 16(7)"
    assert not policy.records_nothing


def test_agents_keys_may_be_changed_or_disabled(tmp_path: Path) -> None:
    agents = {"pause_key": "#", "private_key": "", "private_prefix": "", "tone": False}
    settings = load(tmp_path, agents={**agents, "key_timeout": 3})
    assert settings.agents == AgentSettings("#", "", "", tone=False, key_timeout=3.0)


# --- errors ----------------------------------------------------------------------------------

LEGAL = {"mode": "legal-obligation", "legal_reference": "MiFID II art. 16(7)"}
NUMBER = "must be a number from 0 to below 1, got "


@pytest.mark.parametrize(
    ("recording", "periods", "key", "message"),
    [
        ({"mode": "always"}, [], "mode", 'must be one of sampled, legal-obligation, got "always"'),
        ({"fraction": -0.1}, [WEEKDAYS], "fraction", NUMBER + "-0.1"),
        ({"fraction": "0.2"}, [WEEKDAYS], "fraction", NUMBER + '"0.2"'),
        ({"fraction": True}, [WEEKDAYS], "fraction", NUMBER + "True"),
        (
            {"fraction": 0.2},
            [],
            "fraction",
            "is 0.2 but no [[recording.periods]] is declared: nothing could ever be recorded; "
            "declare the periods in which calls may be sampled",
        ),
        (
            {"timezone": "Paris"},
            [],
            "timezone",
            'must be an IANA time zone such as "Europe/Paris", got "Paris"',
        ),
        (
            {"timezone": "Europe/Pariss"},
            [],
            "timezone",
            'must be an IANA time zone such as "Europe/Paris", got "Europe/Pariss"; '
            'did you mean "Europe/Paris"?',
        ),
        ({"timezone": "../etc/passwd"}, [], "timezone", "got"),
        (
            {"mode": "legal-obligation"},
            [],
            "legal_reference",
            'required with mode = "legal-obligation": the law that requires recording every call '
            '(e.g. "MiFID II art. 16(7)")',
        ),
        ({**LEGAL, "legal_reference": " "}, [], "legal_reference", "must not be empty"),
        (
            {"legal_reference": "MiFID II"},
            [],
            "legal_reference",
            'applies only with mode = "legal-obligation"',
        ),
        ({"fractions": 0.2}, [], "fractions", 'unknown key; did you mean "fraction"?'),
        (
            {"periods": "weekdays"},
            [],
            "periods",
            "must be an array of tables: [[recording.periods]]",
        ),
    ],
)
def test_recording_errors(
    tmp_path: Path,
    recording: dict[str, Any],
    periods: list[dict[str, Any]],
    key: str,
    message: str,
) -> None:
    found = error(tmp_path, recording, periods)
    assert found[0] == f"recording.{key}"
    assert message in found[1]


@pytest.mark.parametrize("fraction", [1, 1.0, 1.5])
def test_systematic_recording_needs_a_legal_obligation(tmp_path: Path, fraction: float) -> None:
    key, message = error(tmp_path, {"fraction": fraction}, [WEEKDAYS])
    assert key == "recording.fraction"
    assert message == (
        f"{fraction} would record every call: systematic recording needs "
        'mode = "legal-obligation" and legal_reference (the law that requires it)'
    )


@pytest.mark.parametrize(("extra", "periods"), [({"fraction": 0.1}, []), ({}, [WEEKDAYS])])
def test_a_legal_obligation_refuses_fraction_and_periods(
    tmp_path: Path, extra: dict[str, Any], periods: list[dict[str, Any]]
) -> None:
    key, message = error(tmp_path, {**LEGAL, **extra}, periods)
    assert key == ("recording.fraction" if extra else "recording.periods")
    assert message.startswith(
        'contradicts mode = "legal-obligation", which records every call whatever the periods '
        "and fraction"
    )


CLOCK = 'must be a time "HH:MM" up to '


@pytest.mark.parametrize(
    ("period", "key", "message"),
    [
        ({"from": "09:00", "to": "18:00"}, "days", "required, not set: a list among mon, tue"),
        ({**WEEKDAYS, "days": ["monday"]}, "days", '"monday" is not a day: write mon, tue, wed'),
        ({**WEEKDAYS, "days": []}, "days", "must be a non-empty list of strings, got []"),
        ({**WEEKDAYS, "days": ["mon", "mon"]}, "days", "lists a value twice"),
        ({**WEEKDAYS, "days": "mon"}, "days", "must be a non-empty list of strings"),
        ({**WEEKDAYS, "from": "9:00"}, "from", CLOCK + '"23:59", got "9:00"'),
        ({**WEEKDAYS, "from": "24:00"}, "from", CLOCK + '"23:59", got "24:00"'),
        ({**WEEKDAYS, "from": "12:60"}, "from", CLOCK + '"23:59", got "12:60"'),
        ({**WEEKDAYS, "to": "24:01"}, "to", CLOCK + '"24:00", got "24:01"'),
        ({**WEEKDAYS, "to": "25:00"}, "to", CLOCK + '"24:00", got "25:00"'),
        ({"days": ["mon"], "to": "18:00"}, "from", "required, not set"),
        ({"days": ["mon"], "from": "09:00"}, "to", "required, not set"),
        ({**WEEKDAYS, "to": "09:00"}, "to", '"09:00" must be after from ("09:00")'),
        (
            {**WEEKDAYS, "from": "22:00", "to": "06:00"},
            "to",
            '"06:00" must be after from ("22:00"); a period across midnight is two periods, '
            'one to "24:00" and one from "00:00"',
        ),
        ({**WEEKDAYS, "groups": []}, "groups", "must be a non-empty list of strings"),
        ({**WEEKDAYS, "label": ""}, "label", "must not be empty"),
        ({**WEEKDAYS, "start": "09:00"}, "start", "unknown key"),
    ],
)
def test_period_errors_name_the_period(
    tmp_path: Path, period: dict[str, Any], key: str, message: str
) -> None:
    found = error(tmp_path, {"fraction": 0.2}, [WEEKDAYS, period])
    assert found[0] == f"recording.periods[2].{key}"
    assert message in found[1]


DTMF = 'must be 1 to 4 DTMF keys among 0-9 * #, or "" to disable it, got '


@pytest.mark.parametrize(
    ("agents", "key", "message"),
    [
        ({"pause_key": "*1234"}, "pause_key", DTMF + '"*1234"'),
        ({"pause_key": "A1"}, "pause_key", DTMF + '"A1"'),
        ({"private_key": 1}, "private_key", DTMF + "1"),
        ({"private_prefix": " *7"}, "private_prefix", DTMF + '" *7"'),
        ({"private_key": "*1"}, "private_key", '"*1" is the same as agents.pause_key'),
        ({"private_prefix": "*1"}, "private_prefix", '"*1" is the same as agents.pause_key'),
        (
            {"private_key": "*"},
            "private_key",
            'agents.private_key "*" is a prefix of agents.pause_key "*1": typing the longer one '
            "would end at the shorter",
        ),
        (
            {"private_prefix": "*12"},
            "private_prefix",
            'agents.pause_key "*1" is a prefix of agents.private_prefix "*12"',
        ),
        (
            {"pause_key": "", "private_prefix": "*0#"},
            "private_prefix",
            'agents.private_key "*0" is a prefix of agents.private_prefix "*0#"',
        ),
        ({"tone": "yes"}, "tone", 'must be true or false, got "yes"'),
        ({"key_timeout": 0}, "key_timeout", "must be a number above 0 up to 30, got 0"),
        ({"key_timeout": 31}, "key_timeout", "must be a number above 0 up to 30, got 31"),
        ({"pause": "*1"}, "pause", 'unknown key; did you mean "pause_key"?'),
    ],
)
def test_agents_errors(tmp_path: Path, agents: dict[str, Any], key: str, message: str) -> None:
    found = error(tmp_path, agents=agents)
    assert found[0] == f"agents.{key}"
    assert message in found[1]


def test_disabled_keys_never_clash(tmp_path: Path) -> None:
    agents = {"pause_key": "", "private_key": "", "private_prefix": ""}
    assert load(tmp_path, agents=agents).agents.pause_key == ""


# --- ivr doctor ------------------------------------------------------------------------------


def test_doctor_warns_when_nothing_can_be_recorded(tmp_path: Path) -> None:
    finding = local.recording_policy(load(tmp_path))
    assert finding.level is Level.WARN
    assert "no call will ever be recorded" in finding.detail


def test_doctor_summarises_a_policy(tmp_path: Path) -> None:
    sampled = local.recording_policy(load(tmp_path, {"fraction": 0.2}, [WEEKDAYS]))
    assert (sampled.level, sampled.detail) == (
        Level.OK,
        "sampled: 20% of the calls in 1 declared period(s), UTC",
    )
    legal = local.recording_policy(load(tmp_path, LEGAL))
    assert (legal.level, legal.detail) == (
        Level.OK,
        "every call, legal obligation: MiFID II art. 16(7)",
    )

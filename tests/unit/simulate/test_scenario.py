"""Scenario files: the shipped ones load, and each kind of mistake gets an error naming the
file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.simulate.errors import ScenarioError
from ivr.simulate.model import Anchor, Moment, Transfer
from ivr.simulate.scenario import load, load_paths

SHIPPED = Path(__file__).resolve().parents[3] / "docker" / "qa" / "scenarios"

GOOD = """\
[defaults]
language = "en"

[[call]]
name = "late"
agent = { answer = 12 }
voice = { file = "beep" }
keys = [{ key = "9", at = 1.5, after = "bridged", ms = 100 }]
hangup = { at = 3, after = "notice-done" }

[call.expect]
recorded = false
decision = "objected"
objected_within = 1
events = ["objected"]

[[call]]
name = "twice"
repeat = 2
number = "c-fr-agent-silent"
voice = { silent = true }
hangup = { at = 0.5 }
expect = { decision = "abandoned", never_created = true }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_scenarios_load_with_unique_names() -> None:
    calls = [c for f in load_paths([SHIPPED]) for c in f.calls]
    assert len(calls) >= 16
    assert len({c.name for c in calls}) == len(calls)
    decisions = {"kept", "objected", "abandoned", "not-recorded", "private"}
    assert {c.expect.decision for c in calls if c.campaign is None} == decisions
    assert {c.expect.profile for c in calls} == {None, "de", "uk"}  # opt-in, and a rule's
    assert any(c.agent_keys for c in calls)
    assert any(c.expect.paused for c in calls)


def test_a_call_is_read_with_its_defaults_and_timeline(tmp_path: Path) -> None:
    late, first, second = load(write(tmp_path, GOOD)).calls
    assert late.number == "c-en-agent-after-12"
    assert (late.voice_tone, late.voice_file, late.line) == (None, "beep", 4)
    assert late.keys[0].keys == "9"
    assert late.keys[0].when == Moment(1.5, Anchor.BRIDGED)
    assert late.keys[0].ms == 100
    assert late.hangup == Moment(3.0, Anchor.NOTICE_DONE)
    assert late.expect.objected_within == 1.0
    assert late.expect.events == ("objected",)
    assert (first.name, second.name) == ("twice#1", "twice#2")
    assert first.number == "c-fr-agent-silent"
    assert first.voice_tone is None
    assert first.hangup == Moment(0.5, Anchor.ANSWER)
    assert first.expect.never_created


def test_the_agent_may_hang_up_instead_of_the_caller(tmp_path: Path) -> None:
    text = GOOD.replace(
        "agent = { answer = 12 }", 'agent = { hangup = { at = 2, after = "bridged" } }'
    ).replace('hangup = { at = 3, after = "notice-done" }\n', "")
    late = load(write(tmp_path, text)).calls[0]
    assert late.hangup is None
    assert late.agent_hangup == Moment(2.0, Anchor.BRIDGED)
    assert late.expect.language == "en"
    with pytest.raises(ScenarioError, match=r":6: call 'late': agent.hangup: expected"):
        load(write(tmp_path, text.replace('after = "bridged" }', 'after = "bridged", x = 1 }')))


def test_default_voice_is_a_tone_and_agents_map_to_carrier_extensions(tmp_path: Path) -> None:
    text = GOOD.replace("answer = 12", "answer = 3").replace('voice = { file = "beep" }', "")
    late = load(write(tmp_path, text)).calls[0]
    assert late.number == "c-en-agent-after-03"
    assert late.voice_tone == "440"
    never = GOOD.replace("answer = 12", 'answer = "never"')
    assert load(write(tmp_path, never)).calls[0].agent == "agent-noanswer"
    silent = GOOD.replace("answer = 12", 'answer = "now", talks = false')
    assert load(write(tmp_path, silent)).calls[0].agent == "agent-silent"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('decision = "objected"', 'decision = "maybe"', ":13: call 'late': expect.decision: must"),
        ('key = "9"', 'key = "x"', ":8: call 'late': keys: `key` must be 1 to 32 of"),
        ('key = "9"', 'key = "' + "1" * 33 + '"', ":8: call 'late': keys: `key` must be 1 to 32"),
        ('after = "bridged"', 'after = "later"', ":8: call 'late': keys: `after` must be one of"),
        ("ms = 100", "ms = 9", ":8: call 'late': keys: `ms` must be 40 to 5000"),
        ("at = 3,", 'at = "3",', ":9: call 'late': hangup: `at` must be seconds"),
        ("recorded = false", "recorded = 0", ":12: call 'late': expect.recorded: expected true or"),
        ("recorded = false", "recordd = false", ":12: call 'late': expect.recordd: unknown key"),
        ("answer = 12", "answer = -1", ":6: call 'late': agent.answer: expected"),
        ('voice = { file = "beep" }', 'voice = { file = "a", tone = "1" }', ":7: call 'late'"),
        ('name = "late"', 'name = "late"\nrepeet = 2', ":6: call 'late': repeet: unknown key"),
        ("repeat = 2", "repeat = 0", ":19: call 'twice': repeat: must be between"),
        ('name = "twice"\nrepeat = 2', 'name = "late"', ":17: call name 'late' is used twice"),
        ("objected_within = 1", "objected_within = -1", ":14: call 'late': expect.objected"),
        ('number = "c-fr-agent-silent"', 'number = "a;b"', ":20: call 'twice': number: not a"),
    ],
)
def test_errors_name_the_file_line_and_key(tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as raised:
        load(path)
    assert str(raised.value).startswith(str(path))
    assert where in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[call]\n", "not valid TOML"),
        ("[other]\n", "unknown top-level key 'other'"),
        ("[defaults]\n", "no [[call]] table"),
        ('[[call]]\nname = "a"\n[call.expect]\nrecorded = true\n', ":1: call 'a': hangup:"),
        ('[[call]]\nname = "a"\nhangup = { at = 1 }\n', ":1: call 'a': expect:"),
        ("[[call]]\nhangup = { at = 1 }\n", "name: every call needs a name"),
    ],
)
def test_whole_file_mistakes(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=r"s\.toml") as raised:
        load(write(tmp_path, text))
    assert message in str(raised.value)


def test_missing_paths_and_empty_folders_are_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_paths([tmp_path / "nope.toml"])
    with pytest.raises(ScenarioError, match=r"no scenario file \(\*\.toml\)"):
        load_paths([tmp_path])


POLICIES = """\
[[call]]
name = "opt-in"
profile = "de"
language = "en"
keys = [{ key = "2", at = 1.0 }]
hangup = { at = 2, after = "bridged" }
expect = { recorded = true, decision = "kept" }

[[call]]
name = "agent-pause"
agent = { keys = [{ key = "*1", at = 1.5, after = "bridged", ms = 150 }] }
hangup = { at = 5, after = "bridged" }
expect = { recorded = true, paused = 1, profile = "fr" }

[[call]]
name = "payment"
number = "k.agent"
keys = [{ key = "4970101234567891", at = 0.5, after = "payment", ms = 120 }]
hangup = { at = 2, after = "payment-done" }
expect = { decision = "private" }

[[call]]
name = "private"
number = "*7agent"
hangup = { at = 1, after = "bridged" }
expect = { recorded = false }
"""


def test_compliance_policies_profiles_agent_keys_and_payment(tmp_path: Path) -> None:
    opt_in, pause, payment, private = load(write(tmp_path, POLICIES)).calls
    assert opt_in.number == "j.de.en.agent"
    assert (opt_in.expect.profile, opt_in.expect.language) == ("de", "en")
    assert pause.number == "c-fr-agent"
    assert pause.agent_keys[0].keys == "*1"
    assert pause.agent_keys[0].when == Moment(1.5, Anchor.BRIDGED)
    assert (pause.expect.paused, pause.expect.profile) == (1, "fr")
    assert payment.keys[0].keys == "4970101234567891"
    assert payment.keys[0].when == Moment(0.5, Anchor.PAYMENT)
    assert payment.hangup == Moment(2.0, Anchor.PAYMENT_DONE)
    assert payment.expect.decision == "private"
    assert private.number == "*7agent"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('profile = "de"', 'profile = "De!"', ":3: call 'opt-in': profile: not a profile name"),
        ("paused = 1", "paused = -1", ":13: call 'agent-pause': expect.paused: must be between"),
        ("paused = 1", 'paused = "1"', ":13: call 'agent-pause': expect.paused: expected a whole"),
        ('key = "*1"', 'key = "*x"', ":11: call 'agent-pause': agent.keys: `key` must be"),
        ("agent = { keys", "agent = { key", ":11: call 'agent-pause': agent: unknown key 'key'"),
        ('number = "k.agent"', 'number = "k agent"', ":17: call 'payment': number: not a dial"),
    ],
)
def test_compliance_mistakes_are_named(tmp_path: Path, old: str, new: str, where: str) -> None:
    assert old in POLICIES
    with pytest.raises(ScenarioError) as raised:
        load(write(tmp_path, POLICIES.replace(old, new, 1)))
    assert where in str(raised.value)


TRANSFER = """\
[[call]]
name = "moved"
keys = [{ key = "9", at = 1.0, after = "transferred" }]
hangup = { at = 3, after = "transferred" }

[call.agent]
transfer = { to = "agent-silent", at = 1.5, after = "bridged" }

[call.expect]
decision = "objected"
"""


def test_the_agent_may_transfer_the_caller(tmp_path: Path) -> None:
    moved = load(write(tmp_path, TRANSFER)).calls[0]
    assert moved.agent_transfer == Transfer("agent-silent", Moment(1.5, Anchor.BRIDGED))
    assert moved.keys[0].when == Moment(1.0, Anchor.TRANSFERRED)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('to = "agent-silent", ', "", "`to` must be a PBX extension, got None"),
        ('"agent-silent"', '"Agent Two"', "`to` must be a PBX extension, got 'Agent Two'"),
        ('after = "bridged" }', 'after = "bridged", by = 1 }', "expected { to, at, after }"),
        ('after = "bridged" }', 'after = "later" }', "`after` must be one of"),
    ],
)
def test_transfer_mistakes_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in TRANSFER
    with pytest.raises(ScenarioError) as raised:
        load(write(tmp_path, TRANSFER.replace(old, new, 1)))
    assert f":7: call 'moved': agent.transfer: {message}" in str(raised.value)

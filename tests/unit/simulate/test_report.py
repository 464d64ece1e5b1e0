"""Judging a call and reporting it: mismatches in words, the table, JSON and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from ivr.simulate.model import Call, Expect, Moment
from ivr.simulate.observed import Observed
from ivr.simulate.report import Result, table, write_json, write_junit
from ivr.simulate.session import judge


def call(name: str, expect: Expect, source: str = "a.toml") -> Call:
    return Call(
        name=name,
        source=Path(source),
        line=3,
        number="c-fr-agent",
        language="fr",
        voice_tone="440",
        voice_file=None,
        keys=(),
        hangup=Moment(1.0),
        expect=expect,
    )


KEPT = Observed(call_id="1.1", file_seen=True, file_at_end=True, decision="kept", seconds=4.0)
KEPT.ledger_events = ["notice-started", "notice-done", "recording-started"]
KEPT.steps = ["notice-started", "notice-done"]
KEPT.recording_seconds = 2.5


def test_matching_outcome_has_no_mismatch() -> None:
    expect = Expect(recorded=True, decision="kept", events=("notice-done", "recording-started"))
    assert judge(call("ok", expect), KEPT, ledger=True).passed


def test_each_mismatch_is_said_in_words() -> None:
    expect = Expect(
        recorded=False,
        decision="objected",
        never_created=True,
        events=("recording-started", "notice-done"),
        steps=("objected",),
        objected_within=1.0,
        min_seconds=3.0,
    )
    problems = judge(call("bad", expect), KEPT, ledger=True).problems
    assert problems == (
        "recorded: expected not recorded, observed kept on disk",
        "never_created: a recording file appeared during the call",
        "min_seconds: recording lasts 2.5 s < 3.0 s",
        "decision: expected objected, ledger says kept",
        "events: expected ['recording-started', 'notice-done'] in order, missing ['notice-done']",
        "objected_within: the ledger records no objection after a key "
        "(the keys never reached the PBX: none)",
        "PBX steps: expected ['objected'] in order, missing ['objected']",
    )


def test_language_is_checked_against_the_ledger() -> None:
    seen = Observed(call_id="1.3", decision="kept", language="fr")
    problems = judge(call("en", Expect(language="en")), seen, ledger=True).problems
    assert problems == ("language: expected en, ledger says fr",)


def test_late_objection_and_script_errors_fail() -> None:
    seen = Observed(call_id="1.2", objection_delay=1.7, decision="objected")
    seen.errors.append("key 9: `bridged` never happened in 90 s")
    problems = judge(call("late", Expect(objected_within=1.0)), seen, ledger=True).problems
    assert problems[0].startswith("key 9: `bridged` never happened")
    assert problems[1] == "objected_within: objection 1.700 s after the key, expected <= 1.0 s"


def test_without_the_ledger_only_outside_checks_count() -> None:
    assert judge(call("x", Expect(recorded=True, decision="objected")), KEPT, ledger=False).passed


PAUSE = [1000.0, 1003.0]  # the ledger's pause: 3 s
HELD = [[1002.0, 0.15], [1002.25, 0.15], [999.0, 0.25]]  # "*1" inside the pause, a key before


def paused_call(silences: list[float], spans: list[list[float]]) -> Observed:
    seen = Observed(call_id="1.4", file_seen=True, file_at_end=True, decision="kept")
    seen.paused_spans, seen.silences, seen.keys_held = spans, silences, HELD
    return seen


def test_a_pause_must_be_silence_in_the_recording_less_the_keys_held_in_it() -> None:
    expect = Expect(paused=1)
    # 3 s paused, 0.3 s of keys held in it (Asterisk writes no audio then), 0.6 s tolerance.
    assert judge(call("p", expect), paused_call([2.2, 0.3], [PAUSE]), ledger=True).passed
    problems = judge(call("p", expect), paused_call([2.0, 0.3], [PAUSE]), ledger=True).problems
    assert problems == (
        "paused: a pause needs 2.1 s of silence in the recording, found 2 s "
        "(longest silences: 2, 0.3)",
    )


def test_the_number_of_pauses_is_the_ledgers() -> None:
    seen = paused_call([2.5], [PAUSE])
    problems = judge(call("p", Expect(paused=0)), seen, ledger=True).problems
    assert problems == ("paused: expected 0 pause(s), the ledger records 1",)
    two = judge(call("p", Expect(paused=2)), seen, ledger=True).problems
    assert two == ("paused: expected 2 pause(s), the ledger records 1",)


def test_profile_is_checked_against_the_ledger() -> None:
    seen = Observed(call_id="1.5", decision="kept", profile="fr")
    problems = judge(call("de", Expect(profile="de")), seen, ledger=True).problems
    assert problems == ("profile: expected de, ledger says fr",)


def results() -> list[Result]:
    good = judge(call("good", Expect(recorded=True, decision="kept")), KEPT, ledger=True)
    bad = judge(call("bad", Expect(decision="abandoned"), "b.toml"), KEPT, ledger=True)
    return [good, bad]


def test_table_has_a_row_per_call_then_the_mismatches() -> None:
    lines = table(results()).splitlines()
    assert lines[0].split() == ["call", "expected", "observed", "verdict"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].split()[0] == "good"
    assert lines[2].rstrip().endswith("PASS")
    assert lines[3].split()[0] == "bad"
    assert lines[3].rstrip().endswith("FAIL")
    assert "recorded, kept" in lines[2]
    assert lines[4] == "bad (b.toml:3): decision: expected abandoned, ledger says kept"
    assert lines[-1] == "1/2 calls passed"


def test_json_report(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_json(results(), path)
    body = json.loads(path.read_text())
    assert body["summary"] == {"calls": 2, "passed": 1, "failed": 1}
    bad = body["calls"][1]
    assert (bad["call"], bad["file"], bad["line"], bad["verdict"]) == ("bad", "b.toml", 3, "fail")
    assert bad["mismatches"] == ["decision: expected abandoned, ledger says kept"]
    assert bad["observed"]["decision"] == "kept"


def test_junit_report_has_a_suite_per_file(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    write_junit(results(), path)
    root = ET.parse(path).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.toml", "b.toml"]
    assert [(s.get("tests"), s.get("failures")) for s in suites] == [("1", "0"), ("1", "1")]
    failure = suites[1].find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "decision: expected abandoned, ledger says kept"
    assert suites[0].find("testcase").get("time") == "4.00"  # type: ignore[union-attr]

"""A private call rebuilt after the service was away stays private, without Asterisk: every
combination of what the PBX and the ledger may remember of it, through the one
reconciliation, and the call's machine from there to its end."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ivr.consent import inputs as i
from ivr.consent.commands import (
    Command,
    DeleteRecording,
    EndSpies,
    Finish,
    Log,
    Mute,
    StartRecording,
    StopRecording,
)
from ivr.consent.listening import refusal
from ivr.consent.machine import Consent, Phase, handle
from ivr.consent.restore import Seen
from ivr.names import Decision, EventKind, Refusal, Source
from tests.unit.consent.test_restore import CALL, FILE, LIVE, T0, restore

PRESSED = datetime(2026, 11, 23, 8, 58, tzinfo=UTC)
SPY = i.SeenSpy("PJSIP/supervisor-00000042", "Claire")
STEPS = (None, "notice-started", "notice-done", "notice-incomplete", "declined", "new-step")
DECISIONS = ("fr:fr:notice:1:notice-short", "de:de:opt-in:1:notice-short", "")
PRIVATE = replace(LIVE, step="notice-done", bridged=True, private_at=PRESSED)


def everything_remembered() -> list[Seen]:
    """A private key remembered (by the PBX alone, or the ledger too), with every mix of the
    other facts a live or ended call can carry."""
    seen = []
    flags = list(itertools.product((False, True), repeat=6))
    for (step, decision), (recording, armed, live, logged, spies, paused) in itertools.product(
        itertools.product(STEPS, DECISIONS), flags
    ):
        seen.append(
            replace(
                PRIVATE,
                step=step,
                decision=decision,
                recording=recording and not armed,  # the rebuild reports one or the other
                armed=armed,
                live=live,
                private_logged=logged,
                spies=(SPY,) if spies and live else (),
                paused_by_agent=paused,
                accepted=paused,  # varied along: opt-in calls accepted or not
            )
        )
    return seen


def of_type(commands: list[Command], kind: type) -> list[Command]:
    return [c for c in commands if isinstance(c, kind)]


def deletions(commands: list[Command]) -> list[DeleteRecording]:
    return [c for c in commands if isinstance(c, DeleteRecording)]


def to_the_end(consent: Consent) -> tuple[Consent, list[Command]]:
    """The call goes on (bridged again, a key from the agent's side) and hangs up; the
    executor reports the deletion the machine asks for."""
    everything: list[Command] = []
    for happened in (i.Bridged(T0), i.AgentJoined(T0, "PJSIP/agent-2"), i.HungUp(T0)):
        consent, commands = handle(consent, happened)
        everything += commands
    if consent.phase is Phase.CLOSING:
        consent, commands = handle(consent, i.RecordingDeleted(T0, FILE, existed=False))
        everything += commands
    return consent, everything


def test_a_private_call_found_after_an_outage_is_never_recorded_nor_listened_to_again() -> None:
    for seen in everything_remembered():
        consent, commands = restore(CALL, "9", seen, T0)
        ended = (Phase.CLOSING, Phase.ENDED)  # closing: its deletion reported first
        assert consent.phase in ((Phase.PRIVATE,) if seen.live else ended), seen
        if seen.live:
            assert refusal(consent) is Refusal.PRIVATE, seen
            assert (consent.listenable, consent.spies) == (False, ()), seen
            assert not of_type(commands, Mute), seen  # nothing to mute: nothing records
        consent, after = to_the_end(consent)
        assert not of_type(commands + after, StartRecording), seen
        finish = of_type(commands + after, Finish)
        assert finish == [Finish(T0, Decision.PRIVATE)], seen


def test_a_recording_found_running_or_armed_on_a_private_call_is_stopped_and_deleted() -> None:
    for seen in everything_remembered():
        if not (seen.recording or seen.armed):
            continue
        _, commands = restore(CALL, "9", seen, T0)
        assert commands[:2] == [StopRecording(), DeleteRecording(FILE)], seen
        assert {c.why for c in deletions(commands)} == {"private"}, seen


def test_a_spy_still_running_on_a_private_call_is_hung_up() -> None:
    _, commands = restore(CALL, "9", replace(PRIVATE, spies=(SPY,)), T0)
    assert of_type(commands, EndSpies) == [EndSpies((SPY.channel,))]


@pytest.mark.parametrize("logged", [False, True])
def test_a_private_key_the_ledger_missed_is_logged_once_from_the_pbx(logged: bool) -> None:
    for seen in everything_remembered():
        if seen.private_logged is not logged:
            continue
        _, commands = restore(CALL, "9", seen, T0)
        rows = [c for c in commands if isinstance(c, Log) and c.kind is EventKind.PRIVATE]
        expected = [] if logged else [Log(PRESSED, EventKind.PRIVATE, Source.RECONCILE)]
        assert rows == expected, seen


def test_an_objection_remembered_beside_the_private_key_wins() -> None:
    for seen in everything_remembered():
        objected = replace(seen, objected_at=T0)
        consent, commands = restore(CALL, "9", objected, T0)
        if seen.live:
            assert consent.phase is Phase.OBJECTED, seen
        _, after = to_the_end(consent)
        assert of_type(commands + after, Finish) == [Finish(T0, Decision.OBJECTED)], seen


def test_a_private_call_the_ledger_already_closed_keeps_its_decision() -> None:
    closed = replace(PRIVATE, live=False, finished_as=Decision.PRIVATE, private_logged=True)
    consent, commands = restore(CALL, "9", closed, T0)
    assert (consent.phase, commands) == (Phase.ENDED, [])


def test_without_a_private_key_a_recorded_call_is_recorded_and_listenable_as_before() -> None:
    seen = replace(PRIVATE, private_at=None, recording=True)
    consent, _ = restore(CALL, "9", seen, T0)
    assert (consent.phase, refusal(consent)) == (Phase.RECORDING, None)

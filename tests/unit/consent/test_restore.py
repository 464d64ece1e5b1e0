"""A call's machine rebuilt from what the PBX and the ledger remember, without Asterisk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ivr.consent import inputs as i
from ivr.consent.commands import (
    CloseRecording,
    Command,
    DeleteRecording,
    Finish,
    Log,
    Mute,
    StartRecording,
    StopRecording,
)
from ivr.consent.machine import Consent, Phase, handle
from ivr.consent.reconcile import AWAY, reconcile
from ivr.consent.restore import Seen, phase_of
from ivr.names import Decision, EventKind, Source

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CALL = "1795462485.7"
FILE = f"ivr-{CALL}.wav"
KEPT = i.KeptFile(f"/rec/{FILE}", 12.0, "a" * 64)
LIVE = Seen(
    step="notice-started",
    objected_at=None,
    objection_logged=False,
    recording=False,
    bridged=False,
    live=True,
    decision="fr:fr:notice:1:notice-short",
)


def restore(call_id: str, key: str, seen: Seen, at: datetime) -> tuple[Consent, list[Command]]:
    """A call the service never tracked, brought back as the service does: a fresh machine fed
    the reconciliation's inputs."""
    consent, everything = Consent(call_id, key), []
    for happened in reconcile(seen, tracked=False, at=at):
        consent, commands = handle(consent, happened)
        everything += commands
    return consent, everything


@pytest.mark.parametrize(
    ("step", "phase"),
    [
        (None, Phase.NOTICE),
        ("notice-started", Phase.NOTICE),
        ("full-notice", Phase.NOTICE),
        ("notice-done", Phase.AWAITING_BRIDGE),
        ("notice-incomplete", Phase.UNRECORDED),
        ("objected", Phase.OBJECTED),
        ("arrived", Phase.NOTICE),
        ("opted-in", Phase.NOTICE),
        ("declined", Phase.UNRECORDED),
        ("something-new", Phase.UNRECORDED),
    ],
)
def test_each_step_maps_to_a_phase_unknown_ones_never_record(
    step: str | None, phase: Phase
) -> None:
    assert phase_of(step) is phase


def test_a_call_in_its_notice_goes_on_from_there() -> None:
    consent, commands = restore(CALL, "9", LIVE, T0)
    assert (consent.phase, commands) == (Phase.NOTICE, [])
    consent, commands = handle(consent, i.NoticeDone(T0))
    consent, commands = handle(consent, i.Bridged(T0))
    assert commands == [StartRecording(FILE)]


def test_a_recorded_call_stays_recorded_and_is_kept_at_hang_up() -> None:
    seen = replace(LIVE, step="notice-done", recording=True, bridged=True)
    consent, commands = restore(CALL, "9", seen, T0)
    assert (consent.phase, consent.recording_requested) == (Phase.RECORDING, True)
    assert commands == [Mute(False)]  # the PBX made to agree: not paused
    consent, commands = handle(consent, i.HungUp(T0))
    assert commands[-1] == CloseRecording(FILE)
    _, commands = handle(consent, i.RecordingKept(T0, KEPT))
    assert commands[-1] == Finish(T0, Decision.KEPT, KEPT)


@pytest.mark.parametrize("bridged", [False, True])
def test_a_call_that_awaited_its_agent_while_the_service_was_away_is_never_recorded(
    bridged: bool,
) -> None:
    """Ringing, only the service hears the caller's keys: an objection then was lost."""
    seen = replace(LIVE, step="notice-done", bridged=bridged)
    consent, commands = restore(CALL, "9", seen, T0)
    assert consent.phase is Phase.UNRECORDED
    detail = {"record": "no", "why": AWAY}
    assert commands == [Log(T0, EventKind.RECORDING_DECIDED, Source.SERVICE, detail)]
    consent, commands = handle(consent, i.Bridged(T0))
    assert commands == []
    _, commands = handle(consent, i.HungUp(T0))
    assert commands[-1] == Finish(T0, Decision.NOT_RECORDED)


def test_an_objection_the_pbx_kept_stops_deletes_and_is_logged_with_its_time() -> None:
    objected = datetime(2026, 11, 23, 8, 59, tzinfo=UTC)
    seen = replace(LIVE, step="notice-done", objected_at=objected, recording=True, bridged=True)
    consent, commands = restore(CALL, "9", seen, T0)
    assert consent.phase is Phase.OBJECTED
    assert commands == [
        StopRecording(),
        DeleteRecording(FILE),
        Log(objected, EventKind.OBJECTED, Source.RECONCILE),
    ]
    # and nothing records it again
    assert handle(consent, i.Bridged(T0))[1] == []


def test_an_objection_already_in_the_ledger_is_not_written_twice() -> None:
    seen = replace(LIVE, objected_at=T0, objection_logged=True)
    assert restore(CALL, "9", seen, T0)[1] == []


def test_a_key_after_restore_is_an_objection() -> None:
    seen = replace(LIVE, step="notice-done", recording=True, bridged=True)
    consent, _ = restore(CALL, "9", seen, T0)
    consent, commands = handle(consent, i.KeyPressed(T0, "9"))
    assert consent.phase is Phase.OBJECTED
    assert commands[:2] == [StopRecording(), DeleteRecording(FILE)]


@pytest.mark.parametrize(
    ("seen", "decision", "kept"),
    [
        (replace(LIVE, live=False), Decision.ABANDONED, None),
        (replace(LIVE, live=False, step="notice-done"), Decision.NOT_RECORDED, None),
        (replace(LIVE, live=False, step="notice-incomplete"), Decision.NOT_RECORDED, None),
        (replace(LIVE, live=False, step="notice-done", recording=True), Decision.KEPT, FILE),
        (
            replace(LIVE, live=False, step="notice-done", recording=True, objected_at=T0),
            Decision.OBJECTED,
            None,
        ),
    ],
)
def test_a_call_that_ended_while_away_is_finished(
    seen: Seen, decision: Decision, kept: str | None
) -> None:
    consent, commands = restore(CALL, "9", seen, T0)
    if kept is not None:  # the decision waits for what the executor finds of the file
        assert (consent.phase, commands[-1]) == (Phase.CLOSING, CloseRecording(FILE))
        consent, commands = handle(consent, i.RecordingKept(T0, KEPT))
    elif decision is Decision.OBJECTED:
        assert (consent.phase, commands[-1]) == (Phase.CLOSING, DeleteRecording(FILE))
        consent, commands = handle(consent, i.RecordingDeleted(T0, FILE, existed=True))
    assert consent.phase is Phase.ENDED
    finish = next(c for c in commands if isinstance(c, Finish))
    assert finish == Finish(T0, decision, KEPT if kept else None)


def test_a_bridged_call_that_ended_is_not_recorded_afterwards() -> None:
    seen = replace(LIVE, live=False, step="notice-done", bridged=True)
    _, commands = restore(CALL, "9", seen, T0)
    assert not any(isinstance(c, StartRecording) for c in commands)


@pytest.mark.parametrize("decision", ["", "fr:fr:notice:0:notice-short", "garbage", "a:b:c:1:d"])
def test_a_call_not_decided_to_be_recorded_is_never_recorded_after_a_restart(
    decision: str,
) -> None:
    seen = replace(LIVE, step="notice-done", bridged=True, decision=decision)
    consent, commands = restore(CALL, "9", seen, T0)
    assert consent.phase is Phase.UNRECORDED
    assert commands == []


def test_opt_in_goes_on_after_a_restart_only_if_the_caller_accepted() -> None:
    opt_in = replace(LIVE, step="notice-done", bridged=True, decision="de:de:opt-in:1:notice-short")
    consent, commands = restore(CALL, "9", opt_in, T0)
    assert (consent.phase, commands) == (Phase.UNRECORDED, [])
    accepted = replace(opt_in, accepted=True, recording=True)
    consent, commands = restore(CALL, "9", accepted, T0)
    assert consent.phase is Phase.RECORDING
    assert commands == [Mute(False)]


def test_pauses_survive_a_restart_and_the_pbx_is_muted_as_paused() -> None:
    seen = replace(LIVE, step="notice-done", recording=True, bridged=True, paying=True)
    consent, commands = restore(CALL, "9", replace(seen, paused_by_agent=True), T0)
    assert consent.paused == frozenset({"agent", "payment"})
    assert consent.paying
    assert Mute(True, paused_by_agent=True) in commands


def test_a_pause_that_ended_while_the_service_was_away_is_lifted() -> None:
    seen = replace(LIVE, step="notice-done", recording=True, bridged=True, paying=False)
    consent, commands = restore(CALL, "9", seen, T0)
    assert not consent.paused
    assert Mute(False) in commands

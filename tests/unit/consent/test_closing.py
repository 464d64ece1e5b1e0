"""What the executor finds of a call's file decides nothing by itself: the machine does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ivr.consent import inputs as i
from ivr.consent.closing import NOT_ENCRYPTED
from ivr.consent.commands import CloseRecording, Command, DeleteRecording, Finish, Log
from ivr.consent.machine import Consent, Phase, handle
from ivr.consent.reconcile import LINK_DOWN, reconcile
from ivr.names import Decision, EventKind, Source, Step

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CALL = "1795462485.7"
FILE = f"ivr-{CALL}.wav"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def hung_up_while_recording(seconds: float = 60) -> Consent:
    consent = Consent(CALL, "9", record=True)
    for happened in (
        i.NoticeDone(at(10)),
        i.Bridged(at(15)),
        i.RecordingStarted(at(15)),
        i.HungUp(at(15 + seconds)),
    ):
        consent, commands = handle(consent, happened)
    assert (consent.phase, commands[-1]) == (Phase.CLOSING, CloseRecording(FILE))
    return consent


def finish_of(commands: list[Command]) -> Finish:
    [finish] = [c for c in commands if isinstance(c, Finish)]
    return finish


@pytest.mark.parametrize(
    ("fact", "decision"),
    [
        (i.RecordingMissing(at(80), "never closed"), Decision.NOT_RECORDED),
        (i.RecordingEmpty(at(80)), Decision.NOT_RECORDED),
        (i.RecordingErased(at(80)), Decision.OBJECTED),
    ],
)
def test_a_file_that_cannot_be_kept_is_decided_by_the_machine_not_the_executor(
    fact: i.Input, decision: Decision
) -> None:
    consent, commands = handle(hung_up_while_recording(), fact)
    assert consent.phase is Phase.ENDED
    assert finish_of(commands) == Finish(at(75), decision, None)


@pytest.mark.parametrize(
    "fact",
    [i.RecordingEmpty(at(80)), i.RecordingErased(at(80))],
)
def test_a_file_not_kept_is_deleted_never_left_in_the_clear(fact: i.Input) -> None:
    _, commands = handle(hung_up_while_recording(), fact)
    assert DeleteRecording(FILE) in commands


def test_a_file_that_could_not_be_encrypted_is_kept_and_marked_unencrypted() -> None:
    plain = i.KeptFile(f"/rec/{FILE}", 60.0, "c" * 64)
    _, commands = handle(hung_up_while_recording(60), i.EncryptionFailed(at(80), "disk", plain))
    assert DeleteRecording(FILE) not in commands
    assert finish_of(commands) == Finish(at(75), Decision.KEPT, plain)
    [error] = [c for c in commands if isinstance(c, Log) and c.kind is EventKind.ERROR]
    assert error.detail == {"recording": NOT_ENCRYPTED, "reason": "disk"}


def test_a_kept_file_much_shorter_than_the_call_is_logged_as_truncated() -> None:
    short = i.KeptFile(f"/rec/{FILE}", 10.0, "b" * 64)
    _, commands = handle(hung_up_while_recording(60), i.RecordingKept(at(80), short))
    errors = [c for c in commands if isinstance(c, Log) and c.kind is EventKind.ERROR]
    assert errors[0].detail["recording"] == "truncated"
    assert finish_of(commands) == Finish(at(75), Decision.KEPT, short)


def test_a_stop_the_pbx_did_not_confirm_is_logged_with_why() -> None:
    consent = Consent(CALL, "9", record=True)
    _, commands = handle(consent, i.RecordingStopped(at(1), "link down"))
    assert commands == [
        Log(
            at(1), EventKind.RECORDING_STOPPED, Source.SERVICE, {"stop": "not confirmed: link down"}
        )
    ]


def test_one_reconciliation_for_tracked_and_untracked_calls_alike() -> None:
    seen = i.Seen("notice-done", at(5), False, False, False, live=False)
    tracked = reconcile(seen, tracked=True, at=at(9))
    assert tracked == [
        i.Objected(at(5), Source.RECONCILE),
        i.NoticeMissed(at(9), Step.NOTICE_DONE),
        i.Unheard(at(9), LINK_DOWN),
        i.HungUp(at(9)),
    ]
    untracked = reconcile(seen, tracked=False, at=at(9))
    assert untracked[0] == i.Adopted(at(9), seen)
    assert untracked[-1] == i.HungUp(at(9))


def test_an_objection_collected_after_the_call_was_closed_keeps_both_facts() -> None:
    seen = i.Seen(None, at(5), False, False, False, live=False, finished_as=Decision.KEPT)
    consent = Consent(CALL, "9")
    everything: list[Command] = []
    for happened in reconcile(seen, tracked=False, at=at(9)):
        consent, commands = handle(consent, happened)
        everything += commands
    assert consent.phase is Phase.ENDED
    assert not [c for c in everything if isinstance(c, Finish)]  # the decision is not rewritten
    logged = [c.kind for c in everything if isinstance(c, Log)]
    assert logged == [EventKind.OBJECTED, EventKind.ERROR]

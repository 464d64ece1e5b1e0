"""The consent state machine, event by event, without Asterisk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ivr.consent import inputs as i
from ivr.consent.commands import (
    Command,
    DeleteRecording,
    Finish,
    Log,
    RememberObjection,
    StartRecording,
    StopRecording,
)
from ivr.consent.machine import MISSED, Consent, Phase, handle
from ivr.ledger.model import EventKind
from ivr.names import Decision, Source, Step

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FILE = "ivr-1795462485.7.wav"
KEPT = i.KeptFile(f"/rec/{FILE}", 44.0, "a" * 64)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(*events: i.Input, key: str = "9") -> tuple[Consent, list[Command]]:
    consent = Consent(call_id="1795462485.7", object_key=key, record=True)  # decided: record
    everything: list[Command] = []
    for event in events:
        consent, commands = handle(consent, event)
        everything += commands
    return consent, everything


def kinds(commands: list[Command]) -> list[EventKind]:
    return [c.kind for c in commands if isinstance(c, Log)]


def of_type(commands: list[Command], kind: type) -> list[Command]:
    return [c for c in commands if isinstance(c, kind)]


HEARD = (i.NoticeStarted(at(0), "fr", "fr"), i.NoticeDone(at(12)))


def test_no_key_records_once_bridged_and_keeps_it() -> None:
    consent, commands = run(
        *HEARD,
        i.Bridged(at(15)),
        i.RecordingStarted(at(15.1)),
        i.HungUp(at(60)),
        i.RecordingKept(at(61), KEPT),
    )
    assert of_type(commands, StartRecording) == [StartRecording(FILE)]
    assert of_type(commands, Finish) == [Finish(at(60), Decision.KEPT, KEPT)]
    assert consent.phase is Phase.ENDED


def test_nothing_is_recorded_before_the_notice_ends() -> None:
    consent, commands = run(i.NoticeStarted(at(0), "fr", "fr"), i.Bridged(at(3)))
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.NOTICE


def test_recording_waits_for_the_bridge_after_the_notice() -> None:
    consent, commands = run(*HEARD)
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.AWAITING_BRIDGE


def test_keys_unheard_while_awaiting_the_agent_mean_never_recorded() -> None:
    unheard = i.Unheard(at(13), "link down")
    _, commands = run(*HEARD, unheard, i.Bridged(at(15)), i.HungUp(at(60)))
    assert of_type(commands, StartRecording) == []
    decided = Log(
        at(13), EventKind.RECORDING_DECIDED, Source.SERVICE, {"record": "no", "why": "link down"}
    )
    assert decided in commands
    assert of_type(commands, Finish) == [Finish(at(60), Decision.NOT_RECORDED, None)]


@pytest.mark.parametrize(
    "before",
    [
        (i.NoticeStarted(at(0), "fr", "fr"),),  # the dialplan hears the keys of the notice
        (*HEARD, i.Bridged(at(15))),  # and the PBX's in-call feature those of a bridge
    ],
)
def test_keys_unheard_elsewhere_change_nothing(before: tuple[i.Input, ...]) -> None:
    consent, _ = run(*before)
    assert handle(consent, i.Unheard(at(20), "link down")) == (consent, [])


def test_a_key_heard_again_after_being_unheard_still_objects() -> None:
    consent, commands = run(*HEARD, i.Unheard(at(13), "away"), i.KeyPressed(at(14), "9"))
    assert consent.phase is Phase.OBJECTED
    assert EventKind.OBJECTED in kinds(commands)


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        (Step.NOTICE_DONE, EventKind.NOTICE_DONE),
        (Step.NOTICE_INCOMPLETE, EventKind.NOTICE_INCOMPLETE),
        (Step.DECLINED, EventKind.DECLINED),
    ],
)
def test_a_notice_that_ended_during_a_cut_link_is_logged_and_never_recorded(
    step: Step, kind: EventKind
) -> None:
    missed = i.NoticeMissed(at(20), step)
    _, commands = run(HEARD[0], missed, i.Bridged(at(21)), i.HungUp(at(60)))
    assert of_type(commands, StartRecording) == []
    assert Log(at(20), kind, Source.RECONCILE, {"seen": MISSED, "recorded": "no"}) in commands
    assert of_type(commands, Finish) == [Finish(at(60), Decision.NOT_RECORDED, None)]


@pytest.mark.parametrize("step", [Step.NOTICE_STARTED, Step.FULL_NOTICE, Step.OPTED_IN])
def test_a_notice_still_playing_after_a_cut_link_goes_on(step: Step) -> None:
    consent, _ = run(HEARD[0])
    assert handle(consent, i.NoticeMissed(at(20), step)) == (consent, [])


def test_a_missed_step_of_a_call_already_past_its_notice_changes_nothing() -> None:
    consent, _ = run(*HEARD, i.Bridged(at(15)))
    assert handle(consent, i.NoticeMissed(at(20), Step.NOTICE_DONE)) == (consent, [])


def test_objection_during_the_notice_means_no_file_ever() -> None:
    _, commands = run(
        i.NoticeStarted(at(0), "fr", "fr"),
        i.Objected(at(4), Source.DIALPLAN),
        i.NoticeDone(at(5)),
        i.Bridged(at(8)),
        i.HungUp(at(30)),
    )
    assert of_type(commands, StartRecording) == []
    assert of_type(commands, DeleteRecording) == []
    assert of_type(commands, Finish) == [Finish(at(30), Decision.OBJECTED, None)]


def test_objection_key_mid_call_stops_deletes_and_is_remembered_on_the_pbx() -> None:
    _, commands = run(
        *HEARD, i.Bridged(at(15)), i.RecordingStarted(at(15)), i.KeyPressed(at(17), "9")
    )
    assert commands[-4:] == [
        StopRecording(),
        DeleteRecording(FILE),
        RememberObjection(at(17)),
        Log(at(17), EventKind.OBJECTED, Source.CALLER),
    ]


def test_objection_reported_by_the_pbx_feature_is_not_written_back_to_the_pbx() -> None:
    _, commands = run(*HEARD, i.Bridged(at(15)), i.Objected(at(17), Source.PBX_FEATURE))
    assert of_type(commands, RememberObjection) == []
    assert of_type(commands, StopRecording) == [StopRecording()]


def test_the_same_key_seen_twice_objects_once() -> None:
    consent, commands = run(
        *HEARD,
        i.Bridged(at(15)),
        i.KeyPressed(at(17), "9"),
        i.Objected(at(17.01), Source.PBX_FEATURE),
        i.KeyPressed(at(20), "9"),
    )
    assert kinds(commands).count(EventKind.OBJECTED) == 1
    assert len(of_type(commands, StopRecording)) == 1
    assert consent.phase is Phase.OBJECTED


def test_nothing_re_enables_recording_after_an_objection() -> None:
    consent, commands = run(
        *HEARD,
        i.Objected(at(13), Source.CALLER),
        i.Bridged(at(15)),
        i.NoticeDone(at(16)),
        i.Bridged(at(40)),
    )
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.OBJECTED


def test_other_keys_never_object() -> None:
    consent, commands = run(
        *HEARD, i.Bridged(at(15)), i.KeyPressed(at(16), "1"), i.KeyPressed(at(17), "#")
    )
    assert of_type(commands, StopRecording) == []
    assert consent.phase is Phase.RECORDING


@pytest.mark.parametrize("key", ["0", "*", "#"])
def test_the_objection_key_is_the_configured_one(key: str) -> None:
    consent, _ = run(*HEARD, i.Bridged(at(15)), i.KeyPressed(at(16), "9"), key=key)
    assert consent.phase is Phase.RECORDING
    consent, _ = run(*HEARD, i.Bridged(at(15)), i.KeyPressed(at(16), key), key=key)
    assert consent.phase is Phase.OBJECTED


def test_keys_during_the_notice_are_left_to_the_dialplan() -> None:
    consent, commands = run(i.NoticeStarted(at(0), "fr", "fr"), i.KeyPressed(at(2), "9"))
    assert consent.phase is Phase.NOTICE
    assert commands == [
        Log(at(0), EventKind.NOTICE_STARTED, Source.DIALPLAN, {"profile": "fr", "language": "fr"})
    ]


def test_full_notice_then_objection() -> None:
    _, commands = run(
        i.NoticeStarted(at(0), "fr", "fr"),
        i.FullNoticeRequested(at(3)),
        i.Objected(at(20), Source.DIALPLAN),
        i.NoticeDone(at(22)),
        i.Bridged(at(25)),
        i.HungUp(at(40)),
    )
    assert kinds(commands)[:3] == [
        EventKind.NOTICE_STARTED,
        EventKind.FULL_NOTICE_REQUESTED,
        EventKind.OBJECTED,
    ]
    assert of_type(commands, StartRecording) == []


def test_full_notice_then_no_key_records() -> None:
    _, commands = run(
        i.NoticeStarted(at(0), "fr", "fr"),
        i.FullNoticeRequested(at(3)),
        i.NoticeDone(at(40)),
        i.Bridged(at(41)),
    )
    assert of_type(commands, StartRecording) == [StartRecording(FILE)]


def test_hang_up_during_the_notice_is_abandoned_and_records_nothing() -> None:
    _, commands = run(i.NoticeStarted(at(0), "fr", "fr"), i.HungUp(at(4)))
    assert of_type(commands, Finish) == [Finish(at(4), Decision.ABANDONED, None)]


def test_unanswered_by_the_agent_is_not_recorded() -> None:
    _, commands = run(*HEARD, i.HungUp(at(50)))
    assert of_type(commands, Finish) == [Finish(at(50), Decision.NOT_RECORDED, None)]


def test_a_notice_cut_short_never_allows_recording() -> None:
    consent, commands = run(
        i.NoticeStarted(at(0), "fr", "fr"), i.NoticeIncomplete(at(9)), i.Bridged(at(12))
    )
    assert of_type(commands, StartRecording) == []
    assert consent.phase is Phase.UNRECORDED


def test_objection_racing_the_recording_start_undoes_it() -> None:
    _, commands = run(
        *HEARD, i.Bridged(at(15)), i.KeyPressed(at(15.01), "9"), i.RecordingStarted(at(15.02))
    )
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE), DeleteRecording(FILE)]
    assert len(of_type(commands, StopRecording)) == 2


def test_a_failed_start_is_logged_and_never_counted_as_kept() -> None:
    _, commands = run(
        *HEARD, i.Bridged(at(15)), i.RecordingFailed(at(15), "disk full"), i.HungUp(at(30))
    )
    assert EventKind.ERROR in kinds(commands)
    assert of_type(commands, Finish) == [Finish(at(30), Decision.NOT_RECORDED, None)]


def test_objected_call_gets_a_last_delete_sweep_at_hang_up() -> None:
    consent, commands = run(*HEARD, i.Bridged(at(15)), i.KeyPressed(at(17), "9"), i.HungUp(at(30)))
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE), DeleteRecording(FILE)]
    assert consent.phase is Phase.CLOSING  # the decision waits for the last sweep
    consent, commands = handle(consent, i.RecordingDeleted(at(30.1), FILE, existed=False))
    assert of_type(commands, Finish) == [Finish(at(30), Decision.OBJECTED)]


def test_a_transfer_rebridges_without_a_second_recording() -> None:
    _, commands = run(*HEARD, i.Bridged(at(15)), i.Bridged(at(60)))
    assert of_type(commands, StartRecording) == [StartRecording(FILE)]


def test_nothing_happens_after_the_end() -> None:
    consent, _ = run(*HEARD, i.HungUp(at(20)))
    assert consent.phase is Phase.ENDED
    assert handle(consent, i.Bridged(at(21))) == (consent, [])

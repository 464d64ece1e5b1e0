"""The machine under the compliance policies: the service's decision before the notice, opt-in,
pauses (agent, payment), private calls and the agents' tone. Pure, without Asterisk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr.consent import inputs as i
from ivr.consent.commands import (
    AckPayment,
    Announce,
    Command,
    DeleteRecording,
    Finish,
    Log,
    Mute,
    RememberObjection,
    RememberPrivate,
    StartRecording,
    StopRecording,
    Tone,
)
from ivr.consent.machine import Consent, Phase, handle
from ivr.ledger.model import EventKind
from ivr.names import Decision, Mode, Prompt, Source

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CALL = "1795462485.7"
FILE = f"ivr-{CALL}.wav"
AGENT = "PJSIP/agent1001-0000002a"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def decided(mode: Mode = Mode.NOTICE, *, record: bool = True) -> i.Decided:
    prompt = Prompt.NOTICE_SHORT if record else Prompt.NOTICE_UNRECORDED
    return i.Decided(at(0), "de", "de", mode, record, prompt, "rule 1", "sampled")


def run(*events: i.Input, tone: bool = False) -> tuple[Consent, list[Command]]:
    consent = Consent(call_id=CALL, object_key="9", tone=tone)
    everything: list[Command] = []
    for event in events:
        consent, commands = handle(consent, event)
        everything += commands
    return consent, everything


def logs(commands: list[Command]) -> list[Log]:
    return [c for c in commands if isinstance(c, Log)]


def of_type(commands: list[Command], kind: type) -> list[Command]:
    return [c for c in commands if isinstance(c, kind)]


RECORDING = (
    decided(),
    i.NoticeStarted(at(0.1), "de", "de"),
    i.NoticeDone(at(8)),
    i.Bridged(at(10)),
    i.RecordingStarted(at(10.1)),
)


def test_the_decision_is_announced_first_then_logged_with_its_reasons() -> None:
    _, commands = run(decided())
    assert commands[0] == Announce("de:de:notice:1:notice-short")
    chosen, sampled = logs(commands)
    assert chosen.kind is EventKind.PROFILE_CHOSEN
    assert dict(chosen.detail) == {"profile": "de", "language": "de", "why": "rule 1"}
    assert sampled.kind is EventKind.RECORDING_DECIDED
    assert dict(sampled.detail) == {"record": "yes", "why": "sampled", "notice": "notice-short"}


def test_a_call_never_decided_is_never_recorded() -> None:
    consent, commands = run(
        i.NoticeStarted(at(0), "fr", "fr"), i.NoticeDone(at(8)), i.Bridged(at(9))
    )
    assert consent.phase is Phase.UNRECORDED
    assert of_type(commands, StartRecording) == []


def test_a_call_not_sampled_is_not_recorded_whatever_the_caller_does() -> None:
    consent, commands = run(decided(record=False), i.NoticeDone(at(3)), i.Bridged(at(4)))
    assert commands[0] == Announce("de:de:notice:0:notice-unrecorded")
    assert consent.phase is Phase.UNRECORDED
    assert of_type(commands, StartRecording) == []


def test_opt_in_records_only_after_the_accept_key() -> None:
    events = (decided(Mode.OPT_IN), i.OptedIn(at(4)), i.NoticeDone(at(4.1)), i.Bridged(at(6)))
    consent, commands = run(*events)
    assert consent.phase is Phase.RECORDING
    assert of_type(commands, StartRecording) == [StartRecording(FILE)]
    assert EventKind.OPTED_IN in [entry.kind for entry in logs(commands)]


def test_opt_in_silence_is_no() -> None:
    consent, commands = run(decided(Mode.OPT_IN), i.NoticeDone(at(9)), i.Bridged(at(10)))
    assert consent.phase is Phase.UNRECORDED
    assert of_type(commands, StartRecording) == []
    done = [entry for entry in logs(commands) if entry.kind is EventKind.NOTICE_DONE]
    assert "did not accept" in done[0].detail["recorded"]


def test_opt_in_another_key_is_no_and_stays_no() -> None:
    events = (decided(Mode.OPT_IN), i.Declined(at(3)), i.OptedIn(at(4)), i.Bridged(at(6)))
    consent, commands = run(*events)
    assert consent.phase is Phase.UNRECORDED
    assert of_type(commands, StartRecording) == []


def test_an_objection_after_opting_in_stops_and_deletes() -> None:
    events = (decided(Mode.OPT_IN), i.OptedIn(at(4)), i.NoticeDone(at(4.1)), i.Bridged(at(6)))
    consent, commands = run(*events, i.RecordingStarted(at(6.1)), i.KeyPressed(at(20), "9"))
    assert consent.phase is Phase.OBJECTED
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE)]


def test_a_payment_step_mutes_then_acknowledges_and_resumes_after() -> None:
    consent, commands = run(*RECORDING, i.PaymentStarted(at(20)))
    assert consent.paying
    assert of_type(commands, Mute) == [Mute(True, ack_payment=True)]
    consent, more = handle(consent, i.PaymentEnded(at(40)))
    assert of_type(more, Mute) == [Mute(False)]
    assert [e.kind for e in logs(more)] == [EventKind.RESUMED]
    assert not consent.paused


def test_keys_of_a_payment_step_are_never_acted_on() -> None:
    consent, commands = run(*RECORDING, i.PaymentStarted(at(20)), i.KeyPressed(at(21), "9"))
    assert consent.phase is Phase.RECORDING
    assert of_type(commands, StopRecording) == []
    assert EventKind.OBJECTED not in [entry.kind for entry in logs(commands)]
    assert all(
        "digit" not in entry.detail and "key" not in entry.detail for entry in logs(commands)
    )


def test_a_payment_of_an_unrecorded_call_is_acknowledged_at_once() -> None:
    _, commands = run(decided(record=False), i.NoticeDone(at(3)), i.PaymentStarted(at(5)))
    assert of_type(commands, AckPayment) == [AckPayment()]
    assert of_type(commands, Mute) == []


def test_an_unconfirmed_payment_is_logged_as_an_error() -> None:
    _, commands = run(*RECORDING, i.PaymentStarted(at(20)), i.PaymentUnconfirmed(at(21)))
    assert logs(commands)[-1].kind is EventKind.ERROR


def test_agent_pause_toggles_and_says_who() -> None:
    consent, commands = run(*RECORDING, i.AgentPause(at(20), "PJSIP/agent1001"))
    assert of_type(commands, Mute) == [Mute(True, paused_by_agent=True)]
    assert logs(commands)[-1].detail == {"reason": "agent", "by": "PJSIP/agent1001"}
    consent, more = handle(consent, i.AgentPause(at(30), "PJSIP/agent1001"))
    assert of_type(more, Mute) == [Mute(False)]
    assert logs(more)[-1].kind is EventKind.RESUMED


def test_the_end_of_a_payment_does_not_resume_an_agent_pause() -> None:
    events = (i.AgentPause(at(20), "a"), i.PaymentStarted(at(21)), i.PaymentEnded(at(30)))
    consent, commands = run(*RECORDING, *events)
    assert consent.paused == frozenset({"agent"})
    assert Mute(False) not in commands


def test_agent_pause_means_nothing_when_not_recording() -> None:
    consent, commands = run(decided(record=False), i.AgentPause(at(20), "a"))
    assert not consent.paused
    assert of_type(commands, Mute) == []


def test_the_private_key_stops_deletes_and_ends_private() -> None:
    consent, commands = run(*RECORDING, i.AgentPrivate(at(20), "PJSIP/agent1001"))
    assert consent.phase is Phase.PRIVATE
    assert of_type(commands, StopRecording) == [StopRecording()]
    assert of_type(commands, DeleteRecording) == [DeleteRecording(FILE)]
    assert of_type(commands, RememberObjection) == []  # the caller did not object
    consent, end = handle(consent, i.HungUp(at(60)))
    assert of_type(end, Finish) == []  # not before the last sweep of the file
    _, end = handle(consent, i.RecordingDeleted(at(61), FILE, existed=False))
    assert of_type(end, Finish) == [Finish(at(60), Decision.PRIVATE, None)]


def test_the_private_key_is_remembered_on_the_pbx_after_the_stop_and_before_the_ledger() -> None:
    recorded, _ = run(*RECORDING)
    _, commands = handle(recorded, i.AgentPrivate(at(20), "PJSIP/agent1001"))
    kinds = [type(c) for c in commands if not isinstance(c, Tone)]
    assert kinds == [StopRecording, DeleteRecording, RememberPrivate, Log]
    assert of_type(commands, RememberPrivate) == [RememberPrivate(at(20))]


def test_a_callers_objection_after_a_private_call_is_still_logged() -> None:
    consent, _ = run(*RECORDING, i.AgentPrivate(at(20), "a"))
    consent, commands = handle(consent, i.KeyPressed(at(25), "9"))
    assert consent.phase is Phase.OBJECTED
    assert of_type(commands, StopRecording) == []
    assert [e.kind for e in logs(commands)] == [EventKind.OBJECTED]
    assert logs(commands)[0].source is Source.CALLER


def test_agents_hear_a_tone_when_recording_starts_and_stops() -> None:
    joined = i.AgentJoined(at(9.9), AGENT)
    consent, commands = run(*RECORDING[:3], joined, *RECORDING[3:], tone=True)
    assert of_type(commands, Tone) == [Tone(AGENT, True)]
    _, stop = handle(consent, i.KeyPressed(at(30), "9"))
    assert of_type(stop, Tone) == [Tone(AGENT, False)]


def test_an_agent_joining_a_recorded_call_hears_the_tone_and_no_tone_without_recording() -> None:
    _, commands = run(*RECORDING, i.AgentJoined(at(11), AGENT), tone=True)
    assert of_type(commands, Tone) == [Tone(AGENT, True)]
    _, none = run(
        decided(record=False), i.NoticeDone(at(3)), i.AgentJoined(at(4), AGENT), tone=True
    )
    assert of_type(none, Tone) == []


def test_a_recording_that_starts_during_a_pause_starts_muted() -> None:
    events = (decided(), i.NoticeDone(at(3)), i.PaymentStarted(at(4)), i.Bridged(at(5)))
    _, commands = run(*events, i.RecordingStarted(at(5.1)))
    assert Mute(True, paused_by_agent=False) in commands

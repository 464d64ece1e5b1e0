"""The consent state machine of one call.

Phases, in the order a call goes through them:

    NOTICE ──notice done──▶ AWAITING_BRIDGE ──bridged──▶ RECORDING ──hang-up──▶ ENDED (kept)
      │                          │                           │
      │ notice cut short         │ objection                 │ objection: stop, delete
      ▼                          ▼                           ▼
    UNRECORDED               OBJECTED ◀──────────────────────┘   (never left but by hang-up)

Recording is only ever requested from AWAITING_BRIDGE: a call whose notice did not run to its
end, or whose caller objected, is never recorded. An objection is final; repeats change nothing.
``handle`` is pure: it returns the next state and the commands to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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
from ivr.ledger.model import EventKind
from ivr.names import Decision, Source


class Phase(StrEnum):
    NOTICE = "notice"
    AWAITING_BRIDGE = "awaiting-bridge"
    RECORDING = "recording"
    UNRECORDED = "unrecorded"
    OBJECTED = "objected"
    ENDED = "ended"


# What a hang-up in each phase means for the record.
_DECISION_AT_HANGUP = {
    Phase.NOTICE: Decision.ABANDONED,
    Phase.AWAITING_BRIDGE: Decision.NOT_RECORDED,
    Phase.UNRECORDED: Decision.NOT_RECORDED,
    Phase.RECORDING: Decision.KEPT,
    Phase.OBJECTED: Decision.OBJECTED,
}


@dataclass(frozen=True)
class Consent:
    call_id: str
    object_key: str
    phase: Phase = Phase.NOTICE
    recording_requested: bool = False

    @property
    def file_name(self) -> str:
        """From the PBX's unique id only: never from anything the caller controls."""
        return f"ivr-{self.call_id}.wav"


Outcome = tuple[Consent, list[Command]]


def handle(consent: Consent, event: i.Input) -> Outcome:
    if consent.phase is Phase.ENDED:
        return consent, []
    match event:
        case i.NoticeStarted() | i.FullNoticeRequested() | i.NoticeDone() | i.NoticeIncomplete():
            return _notice(consent, event)
        case i.KeyPressed():
            return _key(consent, event)
        case i.Objected():
            return _objection(consent, event.at, event.source)
        case i.Bridged():
            return _bridged(consent)
        case i.RecordingStarted() | i.RecordingFailed():
            return _recording(consent, event)
        case i.HungUp():
            return _hang_up(consent, event)


def _notice(
    consent: Consent,
    event: i.NoticeStarted | i.FullNoticeRequested | i.NoticeDone | i.NoticeIncomplete,
) -> Outcome:
    match event:
        case i.NoticeStarted():
            detail = {"profile": event.profile, "language": event.language}
            return consent, [Log(event.at, EventKind.NOTICE_STARTED, Source.DIALPLAN, detail)]
        case i.FullNoticeRequested():
            return consent, [Log(event.at, EventKind.FULL_NOTICE_REQUESTED, Source.CALLER)]
        case i.NoticeDone():
            log = Log(event.at, EventKind.NOTICE_DONE, Source.DIALPLAN)
            return _move(consent, Phase.NOTICE, Phase.AWAITING_BRIDGE), [log]
        case i.NoticeIncomplete():
            log = Log(event.at, EventKind.NOTICE_INCOMPLETE, Source.DIALPLAN)
            return _move(consent, Phase.NOTICE, Phase.UNRECORDED), [log]


def _move(consent: Consent, expected: Phase, to: Phase) -> Consent:
    return replace(consent, phase=to) if consent.phase is expected else consent


def _key(consent: Consent, event: i.KeyPressed) -> Outcome:
    # During the notice the dialplan owns the keys and reports them; after it, the service
    # acts on the objection key itself, as fast as it sees it.
    if event.digit != consent.object_key or consent.phase is Phase.NOTICE:
        return consent, []
    return _objection(consent, event.at, Source.CALLER)


def _objection(consent: Consent, at: datetime, source: Source) -> Outcome:
    if consent.phase is Phase.OBJECTED:
        return consent, []
    # The recording first, then the PBX's memory, then the ledger: what makes the objection
    # real is never kept waiting behind a disk write.
    commands: list[Command] = []
    if consent.recording_requested:
        commands += [StopRecording(), DeleteRecording(consent.file_name)]
    if source is Source.CALLER:
        commands.append(RememberObjection(at))
    commands.append(Log(at, EventKind.OBJECTED, source))
    return replace(consent, phase=Phase.OBJECTED), commands


def _bridged(consent: Consent) -> Outcome:
    if consent.phase is not Phase.AWAITING_BRIDGE:
        return consent, []
    started = replace(consent, phase=Phase.RECORDING, recording_requested=True)
    return started, [StartRecording(consent.file_name)]


def _recording(consent: Consent, event: i.RecordingStarted | i.RecordingFailed) -> Outcome:
    if isinstance(event, i.RecordingFailed):
        log = Log(event.at, EventKind.ERROR, Source.SERVICE, {"recording": event.reason})
        return _move(consent, Phase.RECORDING, Phase.UNRECORDED), [log]
    log = Log(event.at, EventKind.RECORDING_STARTED, Source.SERVICE, {"file": consent.file_name})
    if consent.phase is Phase.OBJECTED:  # the objection overtook the start: undo it at once
        return consent, [log, StopRecording(), DeleteRecording(consent.file_name)]
    return consent, [log]


def _hang_up(consent: Consent, event: i.HungUp) -> Outcome:
    decision = _DECISION_AT_HANGUP[consent.phase]
    commands: list[Command] = [Log(event.at, EventKind.HANGUP, Source.CALLER)]
    if decision is Decision.OBJECTED and consent.recording_requested:
        commands.append(DeleteRecording(consent.file_name))  # a last sweep once it is closed
    kept = consent.file_name if decision is Decision.KEPT else None
    commands.append(Finish(event.at, decision, kept))
    return replace(consent, phase=Phase.ENDED), commands

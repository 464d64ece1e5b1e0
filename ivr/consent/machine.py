"""The consent state machine of one call.

Phases, in the order a call goes through them:

    NOTICE ──notice done──▶ AWAITING_BRIDGE ──bridged──▶ RECORDING ──hang-up──▶ ENDED (kept)
      │                          │                           │
      │ notice cut short,        │ objection                 │ objection: stop, delete
      │ not to be recorded,      ▼                           ▼
      │ no opt-in            OBJECTED ◀──────────────────────┤   (never left but by hang-up)
      ▼                                                      │ agent's private key
    UNRECORDED ◀── keys unheard while awaiting the bridge    PRIVATE: stop, delete

Before the notice the service decides (``Decided``): the profile, and whether this call may be
recorded at all (sampling, declared periods, private calls). Recording is only ever requested
from AWAITING_BRIDGE, which a call reaches only if it may be recorded, heard the notice to its
end, and, under an opt-in profile, pressed the accept key; it leaves it unrecorded if the
service stopped hearing its keys before the bridge (``Unheard``). An objection is final.

While recording, pauses (an agent's key, a payment step) mute the file: silence is written.
``handle`` is pure: it returns the next state and the commands to carry out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ivr.consent import inputs as i
from ivr.consent.closing import Outcome, closing, finish, reported
from ivr.consent.commands import (
    Announce,
    ArmRecording,
    CloseRecording,
    Command,
    DeleteRecording,
    Log,
    Mute,
    RememberObjection,
    RememberPrivate,
    StartRecording,
    StopRecording,
    Tone,
)
from ivr.consent.listening import end_spies, heard, spies
from ivr.consent.pauses import agent_pause, payment
from ivr.consent.restore import adopt
from ivr.consent.state import Consent, Phase
from ivr.names import Decision, DecisionValue, EventKind, Mode, PauseReason, Source, Step

__all__ = ["MISSED", "Consent", "Outcome", "Phase", "handle", "paused_start"]

# What a hang-up in each phase means for the record.
# Why a recording is deleted, as the audit log says it.
OBJECTION, PRIVATE = "objection", "private"
UNHEARD, UNBRIDGED = "unheard", "unbridged"  # an armed recording that never was one

_DECISION_AT_HANGUP = {
    Phase.NOTICE: Decision.ABANDONED,
    Phase.AWAITING_BRIDGE: Decision.NOT_RECORDED,
    Phase.UNRECORDED: Decision.NOT_RECORDED,
    Phase.RECORDING: Decision.KEPT,
    Phase.OBJECTED: Decision.OBJECTED,
    Phase.PRIVATE: Decision.PRIVATE,
}


def handle(consent: Consent, event: i.Input) -> Outcome:
    if consent.phase is Phase.ENDED:
        return consent, []
    if consent.phase is Phase.CLOSING:  # hung up: only what became of the file counts now
        return closing(consent, event)
    return _during(consent, event)


def _during(consent: Consent, event: i.Input) -> Outcome:
    match event:
        case (
            i.Decided()
            | i.NoticeStarted()
            | i.FullNoticeRequested()
            | i.NoticeDone()
            | i.NoticeIncomplete()
            | i.OptedIn()
            | i.Declined()
        ):
            return _notice(consent, event)
        case i.KeyPressed() | i.Objected() | i.AgentPrivate():
            return _stops(consent, event)
        case i.Bridged() | i.AgentJoined() | i.SpyStarted() | i.SpyEnded():
            return _bridged(consent, event)
        case i.Unheard() | i.NoticeMissed() | i.Adopted():
            return _away(consent, event)
        case (
            i.RecordingArmed()
            | i.RecordingStarted()
            | i.RecordingFailed()
            | i.RecordingStopped()
            | i.RecordingDeleted()
            | i.RecordingKept()
            | i.RecordingMissing()
            | i.RecordingEmpty()
            | i.RecordingErased()
            | i.EncryptionFailed()
        ):
            return _recording(consent, event)
        case i.PaymentStarted() | i.PaymentEnded() | i.PaymentUnconfirmed() | i.AgentPause():
            return _pauses(consent, event)
        case i.HungUp():
            return _hang_up(consent, event)


def _away(consent: Consent, event: i.Unheard | i.NoticeMissed | i.Adopted) -> Outcome:
    """What the service learns of the time it (or its link) was away."""
    match event:
        case i.Unheard():
            return _unheard(consent, event)
        case i.NoticeMissed():
            return _notice_missed(consent, event)
        case i.Adopted():
            return adopt(consent, event)


def _stops(consent: Consent, event: i.KeyPressed | i.Objected | i.AgentPrivate) -> Outcome:
    match event:
        case i.KeyPressed():
            return _key(consent, event)
        case i.Objected():
            return _objection(consent, event.at, event.source)
        case i.AgentPrivate():
            return _private(consent, event)


def _pauses(
    consent: Consent,
    event: i.PaymentStarted | i.PaymentEnded | i.PaymentUnconfirmed | i.AgentPause,
) -> Outcome:
    if isinstance(event, i.AgentPause):
        paused, commands = agent_pause(consent.paused, consent.recording, event)
    else:
        paused, commands = payment(consent.paused, consent.recording, event)
    paying = isinstance(event, i.PaymentStarted)
    consent, ended = end_spies(consent, event.at, "payment") if paying else (consent, [])
    return replace(consent, paused=paused), [*ended, *commands]


def _decided(consent: Consent, event: i.Decided) -> Outcome:
    if consent.phase is not Phase.NOTICE:
        return consent, []
    value = DecisionValue(
        event.profile, event.language, event.mode, event.record, event.prompt
    ).encode()
    chosen = {"profile": event.profile, "language": event.language, "why": event.profile_why}
    if event.group:  # kept: supervisors limited to their groups see the call by it
        chosen["group"] = event.group
    decided = {
        "record": "yes" if event.record else "no",
        "why": event.record_why,
        "notice": str(event.prompt),
    }
    chose = replace(consent, mode=event.mode, record=event.record, eligible=event.eligible)
    return replace(chose, group=event.group), [
        Announce(value),  # first: the caller waits for it
        Log(event.at, EventKind.PROFILE_CHOSEN, Source.SERVICE, chosen),
        Log(event.at, EventKind.RECORDING_DECIDED, Source.SERVICE, decided),
    ]


_NoticeInput = (
    i.NoticeStarted
    | i.FullNoticeRequested
    | i.NoticeDone
    | i.NoticeIncomplete
    | i.OptedIn
    | i.Declined
)


def _notice(consent: Consent, event: i.Decided | _NoticeInput) -> Outcome:
    match event:
        case i.Decided():
            return _decided(consent, event)
        case i.NoticeStarted():
            detail = {"profile": event.profile, "language": event.language}
            return consent, [Log(event.at, EventKind.NOTICE_STARTED, Source.DIALPLAN, detail)]
        case i.FullNoticeRequested():
            return consent, [Log(event.at, EventKind.FULL_NOTICE_REQUESTED, Source.CALLER)]
        case i.NoticeDone():
            return _notice_done(consent, event.at)
        case i.NoticeIncomplete():
            log = Log(event.at, EventKind.NOTICE_INCOMPLETE, Source.DIALPLAN)
            return _move(consent, Phase.NOTICE, Phase.UNRECORDED), [log]
        case i.OptedIn():
            accepted = replace(consent, accepted=True) if consent.phase is Phase.NOTICE else consent
            return accepted, [Log(event.at, EventKind.OPTED_IN, Source.CALLER)]
        case i.Declined():
            log = Log(event.at, EventKind.DECLINED, Source.CALLER)
            return _move(consent, Phase.NOTICE, Phase.UNRECORDED), [log]


def _notice_done(consent: Consent, at: datetime) -> Outcome:
    if not consent.record:
        to, detail = Phase.UNRECORDED, {"recorded": "no: not to be recorded (see decision)"}
    elif consent.mode is Mode.OPT_IN and not consent.accepted:
        to, detail = Phase.UNRECORDED, {"recorded": "no: the caller did not accept"}
    else:
        to, detail = Phase.AWAITING_BRIDGE, {}
    log = Log(at, EventKind.NOTICE_DONE, Source.DIALPLAN, detail)
    if consent.phase is not Phase.NOTICE:
        return consent, [log]
    consent = replace(heard(consent), phase=to)
    if to is not Phase.AWAITING_BRIDGE:
        return consent, [log]
    # The dialplan can start it now (written from the bridge on); in a bridge, no dialplan runs.
    return consent, [log, ArmRecording(consent.file_name)]


_MISSED_KINDS = {
    Step.NOTICE_DONE: EventKind.NOTICE_DONE,
    Step.NOTICE_INCOMPLETE: EventKind.NOTICE_INCOMPLETE,
    Step.DECLINED: EventKind.DECLINED,
}
MISSED = "the step ended while the service's AMI link was down: read back from the PBX"


def _notice_missed(consent: Consent, event: i.NoticeMissed) -> Outcome:
    """Whatever the step, the call is not recorded: heard to the end, it then waited for its
    agent while the service could not hear its keys; otherwise it never could be."""
    kind = _MISSED_KINDS.get(event.step)
    if consent.phase is not Phase.NOTICE or kind is None:
        return consent, []
    detail = {"seen": MISSED, "recorded": "no"}
    log = Log(event.at, kind, Source.RECONCILE, detail)
    return replace(consent, phase=Phase.UNRECORDED), [log]


def _move(consent: Consent, expected: Phase, to: Phase) -> Consent:
    return replace(consent, phase=to) if consent.phase is expected else consent


def _key(consent: Consent, event: i.KeyPressed) -> Outcome:
    # During the notice the dialplan owns the keys and reports them; after it, the service
    # acts on the objection key itself, as fast as it sees it. Keys of a payment step are
    # card data: never acted upon.
    if event.digit != consent.object_key or consent.phase is Phase.NOTICE or consent.paying:
        return consent, []
    return _objection(consent, event.at, Source.CALLER)


def _stop_and_delete(consent: Consent, why: str) -> list[Command]:
    if not consent.recording_requested:
        return []
    delete = DeleteRecording(consent.file_name, why)
    return [StopRecording(), delete, *_tones(consent, on=False)]


def _objection(consent: Consent, at: datetime, source: Source) -> Outcome:
    if consent.phase is Phase.OBJECTED:
        return consent, []
    # The recording first, then the PBX's memory, then the ledger: what makes the objection
    # real is never kept waiting behind a disk write.
    consent, ended = end_spies(consent, at, "objected")
    kept = [] if consent.phase is Phase.PRIVATE else _stop_and_delete(consent, OBJECTION)
    commands = [*ended, *kept]
    if source is Source.CALLER:
        commands.append(RememberObjection(at))
    commands.append(Log(at, EventKind.OBJECTED, source))
    return replace(consent, phase=Phase.OBJECTED), commands


def _private(consent: Consent, event: i.AgentPrivate) -> Outcome:
    if consent.phase in (Phase.OBJECTED, Phase.PRIVATE):
        return consent, []
    consent, ended = end_spies(consent, event.at, "private")
    # As for an objection: the recording first, then the PBX's memory, then the ledger.
    commands = [*ended, *_stop_and_delete(consent, PRIVATE), RememberPrivate(event.at)]
    commands.append(Log(event.at, EventKind.PRIVATE, event.source, {"by": event.by}))
    return replace(consent, phase=Phase.PRIVATE), commands


def _tones(consent: Consent, *, on: bool) -> list[Command]:
    return [Tone(agent, on) for agent in consent.agents] if consent.tone else []


def _bridged(
    consent: Consent, event: i.Bridged | i.AgentJoined | i.SpyStarted | i.SpyEnded
) -> Outcome:
    """The way to the conversation: the bridge, the agents joining it, supervisors listening."""
    if isinstance(event, i.SpyStarted | i.SpyEnded):
        return spies(consent, event)
    if isinstance(event, i.AgentJoined):
        if event.channel in consent.agents:
            return consent, []
        joined = replace(consent, agents=(*consent.agents, event.channel))
        tone = consent.tone and consent.phase is Phase.RECORDING
        return joined, [Tone(event.channel, True)] if tone else []
    if consent.phase is not Phase.AWAITING_BRIDGE:
        return consent, []
    started = replace(consent, phase=Phase.RECORDING, recording_requested=True)
    return started, [StartRecording(consent.file_name), *_tones(consent, on=True)]


def _unheard(consent: Consent, event: i.Unheard) -> Outcome:
    """A call waiting for its agent while nobody heard its keys is never recorded: the caller
    may have objected then (during the notice the dialplan hears them, in a bridge the PBX's
    in-call feature does, but while the agent's phone rings only the service listens)."""
    if consent.phase is not Phase.AWAITING_BRIDGE:
        return consent, []
    detail = {"record": "no", "why": event.why}
    log = Log(event.at, EventKind.RECORDING_DECIDED, Source.SERVICE, detail)
    unrecorded = replace(consent, phase=Phase.UNRECORDED, listenable=False)
    return unrecorded, [log, *_disarm(consent, UNHEARD)]


def _disarm(consent: Consent, why: str) -> list[Command]:
    """A recording armed for a bridge that must not be recorded: stopped, and its file (the
    armed monitor writes a header at once, and audio if it was bridged meanwhile) deleted."""
    if not consent.recording_requested:
        return []
    return [StopRecording(), DeleteRecording(consent.file_name, why)]


def _recording(consent: Consent, event: i.Input) -> Outcome:
    """The recording as the executor found it; facts other than its start only add rows."""
    if isinstance(event, i.RecordingArmed):
        return _armed(consent)
    if not isinstance(event, i.RecordingStarted | i.RecordingFailed):
        return consent, reported(consent, event)
    if isinstance(event, i.RecordingFailed):
        log = Log(event.at, EventKind.ERROR, Source.SERVICE, {"recording": event.reason})
        return _move(consent, Phase.RECORDING, Phase.UNRECORDED), [log, *_tones(consent, on=False)]
    log = Log(event.at, EventKind.RECORDING_STARTED, Source.SERVICE, {"file": consent.file_name})
    consent = replace(consent, recording_since=event.at)
    if consent.phase in (Phase.OBJECTED, Phase.PRIVATE):  # overtaken by the stop: undo at once
        why = OBJECTION if consent.phase is Phase.OBJECTED else PRIVATE
        return consent, [log, StopRecording(), DeleteRecording(consent.file_name, why)]
    return consent, [log, *paused_start(consent)]


def _armed(consent: Consent) -> Outcome:
    armed = replace(consent, recording_requested=True)
    if consent.phase is Phase.AWAITING_BRIDGE:
        return armed, []
    # Refused while the go was on its way (an objection, keys unheard): undone at once.
    why = {Phase.OBJECTED: OBJECTION, Phase.PRIVATE: PRIVATE}.get(consent.phase, UNHEARD)
    return armed, [StopRecording(), DeleteRecording(consent.file_name, why)]


def paused_start(consent: Consent) -> list[Command]:
    """A recording that starts during a pause starts muted."""
    return (
        [Mute(True, paused_by_agent=PauseReason.AGENT in consent.paused)] if consent.paused else []
    )


def _hang_up(consent: Consent, event: i.HungUp) -> Outcome:
    """The decision waits for the file when there is one: a kept file is checked first, a
    deleted one swept a last time once the PBX let go of it."""
    decision = _DECISION_AT_HANGUP[consent.phase]
    consent, listened = end_spies(consent, event.at, "hangup", hang_up=False)
    commands: list[Command] = [*listened, Log(event.at, EventKind.HANGUP, Source.CALLER)]
    closing = replace(consent, phase=Phase.CLOSING, ended_at=event.at, pending=decision)
    if decision is Decision.KEPT:
        return closing, [*commands, CloseRecording(consent.file_name)]
    if decision in (Decision.OBJECTED, Decision.PRIVATE) and consent.recording_requested:
        why = OBJECTION if decision is Decision.OBJECTED else PRIVATE
        return closing, [*commands, DeleteRecording(consent.file_name, why)]
    if consent.phase is Phase.AWAITING_BRIDGE and consent.recording_requested:
        commands.append(DeleteRecording(consent.file_name, UNBRIDGED))
    return finish(consent, event.at, decision, commands)

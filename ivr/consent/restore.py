"""A call's consent machine rebuilt after the service was away. Pure, like the machine.

What the service finds when it comes back — the steps the dialplan kept in channel variables,
whether a MixMonitor runs, whether the call is bridged, what the ledger already holds — is a
`Seen`. `restore` turns it into the machine's state plus the commands that make the PBX agree
with it: an objected call loses its recording, a recorded call goes on being recorded (its pauses
applied), and a call that ended while the service was away is finished as the machine would have
finished it. A call that was past its notice but not yet recorded is never recorded: while it
waited for an agent only the service listened for its keys, and the service was away.

Unknown or contradictory memory fails closed: an objection anywhere wins, and a step the service
does not know never allows a recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.consent import inputs as i
from ivr.consent.commands import Command, DeleteRecording, Log, Mute, StopRecording
from ivr.consent.machine import Consent, Outcome, Phase, handle
from ivr.consent.pauses import AGENT, PAYMENT
from ivr.ledger.model import EventKind
from ivr.names import Mode, Source, Step

# Why a call that was waiting for its agent while the service was away is not recorded.
AWAY = "waited for an agent while the service was away: an objection pressed then went unheard"

_PHASE_OF_STEP = {
    None: Phase.NOTICE,
    Step.ARRIVED: Phase.NOTICE,
    Step.OPTED_IN: Phase.NOTICE,
    Step.DECLINED: Phase.UNRECORDED,
    Step.NOTICE_STARTED: Phase.NOTICE,
    Step.FULL_NOTICE: Phase.NOTICE,
    Step.NOTICE_DONE: Phase.AWAITING_BRIDGE,
    Step.NOTICE_INCOMPLETE: Phase.UNRECORDED,
    Step.OBJECTED: Phase.OBJECTED,
}


@dataclass(frozen=True)
class Seen:
    """What the PBX and the ledger remember of one call."""

    step: str | None  # IVR_STEP (or the last step the ledger logged); None: not reported yet
    objected_at: datetime | None  # IVR_OBJECTED, the AstDB entry or the ledger's event
    objection_logged: bool  # the ledger already holds the objection
    recording: bool  # a MixMonitor was started on the call (and its file may exist)
    bridged: bool  # the caller is in a bridge now
    live: bool  # the caller's channel is still up
    decision: str = ""  # IVR_DECISION as the service announced it; "" if it never did
    accepted: bool = False  # IVR_ACCEPTED: the caller pressed the accept key
    paused_by_agent: bool = False  # IVR_PAUSED
    paying: bool = False  # IVR_PAYMENT: in a payment step now


@dataclass(frozen=True)
class Announced:
    """IVR_DECISION read back: what the service decided before the notice."""

    mode: Mode
    record: bool

    @classmethod
    def parse(cls, value: str) -> Announced:
        """Anything but a well-formed decision to record means: not recorded."""
        fields = value.split(":")
        if len(fields) != 5 or fields[2] not in set(Mode):
            return cls(Mode.NOTICE, record=False)
        return cls(Mode(fields[2]), record=fields[3] == "1")


def phase_of(step: str | None) -> Phase:
    try:
        return _PHASE_OF_STEP[Step(step) if step else None]
    except (ValueError, KeyError):
        return Phase.UNRECORDED  # a step this service does not know: never recorded


def restore(
    call_id: str, object_key: str, seen: Seen, at: datetime, *, tone: bool = False
) -> Outcome:
    announced = Announced.parse(seen.decision)
    phase = Phase.OBJECTED if seen.objected_at is not None else phase_of(seen.step)
    if phase is Phase.AWAITING_BRIDGE and seen.recording:
        phase = Phase.RECORDING
    elif phase is Phase.AWAITING_BRIDGE and not _may_record(announced, seen):
        phase = Phase.UNRECORDED
    consent = Consent(
        call_id,
        object_key,
        phase,
        recording_requested=seen.recording,
        mode=announced.mode,
        record=announced.record,
        accepted=seen.accepted,
        paused=_paused(seen),
        tone=tone,
    )
    commands = _objection(consent, seen)
    if phase is Phase.RECORDING and seen.live:
        commands.append(_mute_as_paused(consent))
    if phase is Phase.AWAITING_BRIDGE:
        consent, more = handle(consent, i.Unheard(at, AWAY))
        commands += more
    if not seen.live:
        consent, more = handle(consent, i.HungUp(at))
        commands += more
    return consent, commands


def _may_record(announced: Announced, seen: Seen) -> bool:
    return announced.record and (announced.mode is not Mode.OPT_IN or seen.accepted)


def _mute_as_paused(consent: Consent) -> Mute:
    """The PBX keeps a mute across the service's absence: a pause that ended meanwhile (a
    payment step over, say) must not leave the rest of the call silent, and a pause that began
    meanwhile is applied. Muting is idempotent, so this is sent whatever the PBX's state."""
    return Mute(bool(consent.paused), paused_by_agent=AGENT in consent.paused)


def _paused(seen: Seen) -> frozenset[str]:
    return frozenset(
        reason for reason, on in ((AGENT, seen.paused_by_agent), (PAYMENT, seen.paying)) if on
    )


def _objection(consent: Consent, seen: Seen) -> list[Command]:
    if seen.objected_at is None:
        return []
    commands: list[Command] = []
    if seen.recording:
        commands += [StopRecording(), DeleteRecording(consent.file_name)]
    if not seen.objection_logged:
        commands.append(Log(seen.objected_at, EventKind.OBJECTED, Source.RECONCILE))
    return commands

"""A call's machine rebuilt after the service was away. Pure, like the machine.

What the service finds when it comes back — the steps the dialplan kept in channel variables,
whether a MixMonitor runs, whether the call is bridged, what the ledger already holds — is a
`Seen`, carried by the `Adopted` input: `adopt` puts a fresh machine in the state those facts
prove, plus the commands that make the PBX agree with it (an objected call loses its recording,
so does a call its agent made private, a recorded call goes on being recorded with its pauses
applied). The rest (a call waiting for its agent is no longer recorded, a call that ended
meanwhile is finished) follows from the ordinary inputs `ivr.consent.reconcile` lists after it.

Unknown or contradictory memory fails closed: an objection anywhere wins, then the agent's private
key (neither is ever undone), and a step the service does not know never allows a recording.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ivr.consent import inputs as i
from ivr.consent.commands import Command, DeleteRecording, ForgetObjection, Log, Mute, StopRecording
from ivr.consent.pauses import AGENT, PAYMENT
from ivr.consent.state import Consent, Phase
from ivr.names import Decision, DecisionValue, EventKind, Mode, Source, Step

Seen = i.Seen
Outcome = tuple[Consent, list[Command]]

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
class Announced:
    """IVR_DECISION read back: what the service decided before the notice."""

    mode: Mode
    record: bool

    @classmethod
    def parse(cls, value: str) -> Announced:
        """Anything but a well-formed decision to record means: not recorded."""
        decoded = DecisionValue.decode(value)
        if decoded is None:
            return cls(Mode.NOTICE, record=False)
        return cls(decoded.mode, decoded.record)


def phase_of(step: str | None) -> Phase:
    parsed = Step.parse(step)
    if step and parsed is None:
        return Phase.UNRECORDED  # a step this service does not know: never recorded
    return _PHASE_OF_STEP.get(parsed, Phase.UNRECORDED)


def adopt(consent: Consent, event: i.Adopted) -> Outcome:
    """Only a machine that has heard nothing yet is adopted; a known call keeps its state."""
    if consent.phase is not Phase.NOTICE or consent.record or consent.recording_requested:
        return consent, []
    seen = event.seen
    if seen.finished_as is not None:
        return _finished(consent, seen, seen.finished_as, event)
    announced = Announced.parse(seen.decision)
    phase = _phase(announced, seen)
    consent = replace(
        consent,
        phase=phase,
        # An armed recording the service never saw start is disarmed by the inputs that follow
        # (a call that waited for its agent unheard is never recorded).
        recording_requested=seen.recording or seen.armed,
        mode=announced.mode,
        record=announced.record,
        accepted=seen.accepted,
        paused=_paused(seen),
        agents=seen.agents,
        listenable=_listenable(announced, seen) and phase is not Phase.PRIVATE,
    )
    commands: list[Command] = []
    if seen.armed and phase is not Phase.AWAITING_BRIDGE:  # armed for a call not to record
        why = _WHY_DISARMED.get(phase, "unheard")
        commands += [StopRecording(), DeleteRecording(consent.file_name, why)]
    # The recording first, then the ledger, as the machine does it.
    commands += _objection(consent, seen) if phase is Phase.OBJECTED else _private(consent, seen)
    if phase is Phase.RECORDING and seen.live:
        commands.append(_mute_as_paused(consent))
    return consent, commands


# Why an armed recording found on a call not to record is deleted, as the audit log says it.
_WHY_DISARMED = {Phase.OBJECTED: "objection", Phase.PRIVATE: "private"}


def _phase(announced: Announced, seen: Seen) -> Phase:
    """An objection wins over everything, then the agent's private key; otherwise the step."""
    if seen.objected_at is not None:
        return Phase.OBJECTED
    if seen.private_at is not None:
        return Phase.PRIVATE
    phase = phase_of(seen.step)
    if phase is Phase.AWAITING_BRIDGE and seen.recording:
        return Phase.RECORDING
    if phase is Phase.AWAITING_BRIDGE and not _may_record(announced, seen):
        return Phase.UNRECORDED
    return phase


def _finished(consent: Consent, seen: Seen, decision: Decision, event: i.Adopted) -> Outcome:
    """The ledger closed the call before the PBX's objection reached the service: honour it
    (delete, log it) and keep both facts side by side rather than rewrite the decision."""
    commands = _objection(replace(consent, recording_requested=seen.recording), seen)
    commands = [c for c in commands if not isinstance(c, StopRecording)]
    if seen.objected_at is not None and decision is not Decision.OBJECTED:
        detail = {"decision": str(decision), "objection": "collected after the end"}
        commands.append(Log(event.at, EventKind.ERROR, Source.RECONCILE, detail))
    if seen.objected_at is not None:
        commands.append(ForgetObjection())
    return replace(consent, phase=Phase.ENDED), commands


def _may_record(announced: Announced, seen: Seen) -> bool:
    return announced.record and (announced.mode is not Mode.OPT_IN or seen.accepted)


def _listenable(announced: Announced, seen: Seen) -> bool:
    """As `ivr.consent.listening.heard` said when the notice ended: heard to its end (and
    accepted, under opt-in) on a call eligible to be recorded. A call to record was; one the
    draw left out is known to be only by a spy the service allowed, which the PBX still runs
    (it notes a spy only after the service's yes)."""
    heard = Step.parse(seen.step) is Step.NOTICE_DONE
    accepted = announced.mode is not Mode.OPT_IN or seen.accepted
    return heard and accepted and (announced.record or bool(seen.spies))


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
    at, logged = seen.objected_at, seen.objection_logged
    return _honoured(consent, seen.recording, at, logged, EventKind.OBJECTED, "objection")


def _private(consent: Consent, seen: Seen) -> list[Command]:
    """The agent made the call private before the service went away (the PBX's IVR_PRIVATE or
    the ledger's event)."""
    at, logged = seen.private_at, seen.private_logged
    return _honoured(consent, seen.recording, at, logged, EventKind.PRIVATE, "private")


def _honoured(
    consent: Consent, recording: bool, at: datetime | None, logged: bool, kind: EventKind, why: str
) -> list[Command]:
    """A stop key pressed before the service went away (``at``; None: none was): a recording
    found on the call is stopped and deleted again (both harmless when already done), and the
    ledger learns the key if it lagged."""
    if at is None:
        return []
    commands: list[Command] = []
    if recording:
        commands += [StopRecording(), DeleteRecording(consent.file_name, why)]
    if not logged:
        commands.append(Log(at, kind, Source.RECONCILE))
    return commands

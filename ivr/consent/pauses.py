"""Pauses of a recording: an agent's pause key, a payment step. Pure.

Each reason is kept apart, so that the end of a payment step does not resume a recording an
agent paused, nor the reverse; the file is muted while any reason holds (silence is written).
Card data is the one thing never to be recorded: a payment step is acknowledged to the dialplan
only once the mute is in place (or when nothing records), and its keys are never logged.
"""

from __future__ import annotations

from ivr.consent import inputs as i
from ivr.consent.commands import AckPayment, Command, Log, Mute
from ivr.names import EventKind, PauseReason, Source

AGENT = PauseReason.AGENT
PAYMENT = PauseReason.PAYMENT

Paused = frozenset[str]


def payment(
    paused: Paused, recording: bool, event: i.PaymentStarted | i.PaymentEnded | i.PaymentUnconfirmed
) -> tuple[Paused, list[Command]]:
    match event:
        case i.PaymentStarted():
            return _payment_started(paused, recording, event)
        case i.PaymentEnded():
            if PAYMENT not in paused:
                return paused, []
            now = paused - {PAYMENT}
            log = Log(event.at, EventKind.RESUMED, Source.DIALPLAN, {"reason": PAYMENT})
            return now, [*_mute(now, recording), log]
        case i.PaymentUnconfirmed():
            why = "the mute was not confirmed in time: the PBX stopped the recording itself"
            return paused, [Log(event.at, EventKind.ERROR, Source.DIALPLAN, {"payment": why})]


def _payment_started(
    paused: Paused, recording: bool, event: i.PaymentStarted
) -> tuple[Paused, list[Command]]:
    if PAYMENT in paused:
        return paused, [AckPayment()]
    now = paused | {PAYMENT}
    log = Log(event.at, EventKind.PAUSED, Source.DIALPLAN, {"reason": PAYMENT})
    if recording and not paused:
        return now, [Mute(True, ack_payment=True), log]
    return now, [AckPayment(), log]  # already muted, or nothing records


def agent_pause(
    paused: Paused, recording: bool, event: i.AgentPause
) -> tuple[Paused, list[Command]]:
    """The pause key toggles; it means nothing while the call is not being recorded."""
    if not recording:
        return paused, []
    detail = {"reason": AGENT, "by": event.by}
    if AGENT in paused:
        now = paused - {AGENT}
        return now, [*_mute(now, recording), Log(event.at, EventKind.RESUMED, Source.AGENT, detail)]
    now = paused | {AGENT}
    return now, [
        Mute(True, paused_by_agent=True),
        Log(event.at, EventKind.PAUSED, Source.AGENT, detail),
    ]


def _mute(now: Paused, recording: bool) -> list[Command]:
    """The mute as ``now`` wants it, after a reason went away."""
    if not recording:
        return []
    return [Mute(bool(now), paused_by_agent=AGENT in now)]

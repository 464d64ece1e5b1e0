"""Live listening, as the consent machine sees it: whether a supervisor may listen to a call
now, and the spies to end the moment that stops being so. Pure.

Listening follows recording: allowed only where this call may be recorded under its profile
and policy (sampling aside: a call the draw left out may still be listened to), once the caller
heard the notice to its end (and accepted, under an opt-in profile); never after an objection,
on a private call, or during a payment step. An objection is final, so a spy ended by it cannot
come back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ivr.consent import inputs as i
from ivr.consent.commands import Command, EndSpies, Log
from ivr.consent.state import Consent, Phase, Spy
from ivr.names import EventKind, Mode, Refusal, Source

Outcome = tuple[Consent, list[Command]]

_BY_PHASE = {
    Phase.OBJECTED: Refusal.OBJECTED,
    Phase.PRIVATE: Refusal.PRIVATE,
    Phase.CLOSING: Refusal.NO_CALL,
    Phase.ENDED: Refusal.NO_CALL,
}


def refusal(consent: Consent) -> Refusal | None:
    """Why nobody may listen to this call now; None if a supervisor may."""
    refused = _BY_PHASE.get(consent.phase)
    if refused is not None:
        return refused
    if consent.paying:
        return Refusal.PAYMENT
    if not consent.listenable:
        return Refusal.NOT_RECORDABLE
    return None


def heard(consent: Consent) -> Consent:
    """The notice was heard to its end: the call becomes listenable if it is eligible."""
    refused_opt_in = consent.mode is Mode.OPT_IN and not consent.accepted
    return replace(consent, listenable=consent.eligible and not refused_opt_in)


def end_spies(consent: Consent, at: datetime, why: str, *, hang_up: bool = True) -> Outcome:
    """Every spy of the call goes, now (``hang_up``: the service hangs them up; at the call's
    end the PBX does); the call's ledger says who listened, from when to when, and why it
    ended."""
    if not consent.spies:
        return consent, []
    rows: list[Command] = [_listened(spy, at, why) for spy in consent.spies]
    ending: list[Command] = [EndSpies(tuple(spy.channel for spy in consent.spies))]
    return replace(consent, spies=()), [*(ending if hang_up else []), *rows]


def spies(consent: Consent, event: i.SpyStarted | i.SpyEnded) -> Outcome:
    match event:
        case i.SpyStarted():
            if refusal(consent) is not None:  # overtaken by an objection: undo at once
                return consent, [EndSpies((event.channel,))]
            if any(spy.channel == event.channel for spy in consent.spies):
                return consent, []
            joined = Spy(event.channel, event.by, event.at)
            return replace(consent, spies=(*consent.spies, joined)), []
        case i.SpyEnded():
            gone = [spy for spy in consent.spies if spy.channel == event.channel]
            left = tuple(spy for spy in consent.spies if spy.channel != event.channel)
            return replace(consent, spies=left), [_listened(spy, event.at, "left") for spy in gone]


def _listened(spy: Spy, at: datetime, why: str) -> Log:
    detail = {"by": spy.by, "from": spy.since.isoformat(), "to": at.isoformat(), "ended": why}
    return Log(at, EventKind.LISTENED, Source.SERVICE, detail)

"""AMI events of the PBX, translated into the consent machine's inputs. Pure.

Only the caller's channel matters: its unique id is the call id the dialplan gave the call
(IVR_CALL), so an event whose Uniqueid is not a tracked call id is ignored, agents' included.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.ami import Message
from ivr.consent import inputs as i
from ivr.names import PAYMENT_EVENT, USER_EVENT, PaymentStep, Source, Step


def now() -> datetime:
    return datetime.now(UTC)


def consent_step(event: Message) -> tuple[str, Step] | None:
    """(call id, step) of an IvrConsent UserEvent, else None."""
    if event.name != "UserEvent" or event.get("UserEvent") != USER_EVENT:
        return None
    call_id, step = event.get("Call", ""), event.get("Step", "")
    try:
        return (call_id, Step(step)) if call_id else None
    except ValueError:
        return None


def payment_step(event: Message) -> tuple[str, PaymentStep] | None:
    """(call id, step) of an IvrPayment UserEvent, else None."""
    if event.name != "UserEvent" or event.get("UserEvent") != PAYMENT_EVENT:
        return None
    call_id, step = event.get("Call", ""), event.get("Step", "")
    try:
        return (call_id, PaymentStep(step)) if call_id else None
    except ValueError:
        return None


_PAYMENT_INPUTS: dict[PaymentStep, type[i.PaymentStarted | i.PaymentEnded | i.PaymentUnconfirmed]]
_PAYMENT_INPUTS = {
    PaymentStep.START: i.PaymentStarted,
    PaymentStep.END: i.PaymentEnded,
    PaymentStep.UNCONFIRMED: i.PaymentUnconfirmed,
}


def to_input(event: Message, at: datetime) -> i.Input | None:
    """The machine's input for this event of the caller's channel, if it means anything."""
    step = consent_step(event)
    if step is not None:
        return _from_step(step[1], event, at)
    payment = payment_step(event)
    if payment is not None:
        return _PAYMENT_INPUTS[payment[1]](at)
    match event.name:
        case "DTMFEnd" if event.get("Direction") == "Received":
            return i.KeyPressed(at, event.get("Digit", ""))
        case "BridgeEnter":
            return i.Bridged(at)
        case "Hangup":
            return i.HungUp(at)
    return None


def _from_step(step: Step, event: Message, at: datetime) -> i.Input | None:
    match step:
        case Step.NOTICE_STARTED:
            return i.NoticeStarted(at, event.get("Profile", ""), event.get("Language", ""))
        case Step.FULL_NOTICE:
            return i.FullNoticeRequested(at)
        case Step.NOTICE_DONE:
            return i.NoticeDone(at)
        case Step.NOTICE_INCOMPLETE:
            return i.NoticeIncomplete(at)
        case Step.OBJECTED:
            return i.Objected(at, _source(event.get("Source", "")))
        case Step.OPTED_IN:
            return i.OptedIn(at)
        case Step.DECLINED:
            return i.Declined(at)
    return None


def _source(value: str) -> Source:
    try:
        return Source(value)
    except ValueError:
        return Source.DIALPLAN


def agent_input(event: Message, at: datetime) -> i.AgentJoined | str | None:
    """An agent's channel joining the call, or the key an agent pressed; else None."""
    match event.name:
        case "BridgeEnter":
            return i.AgentJoined(at, event.get("Channel", ""))
        case "DTMFEnd" if event.get("Direction") == "Received":
            return event.get("Digit", "") or None
    return None


def endpoint(channel: str) -> str:
    """Who an agent is, from its channel: ``PJSIP/agent1001-0000002a`` is ``PJSIP/agent1001``."""
    return channel.rsplit("-", 1)[0] if "-" in channel else channel

"""AMI events of the PBX, translated into the consent machine's inputs. Pure.

The caller's channel: its unique id is the call id the dialplan gave the call (IVR_CALL). The
agents' channels are told apart by the bridge they share with it (`ivr.service.bridges`).
"""

from __future__ import annotations

from datetime import datetime

from ivr.ami import Message
from ivr.consent import inputs as i
from ivr.names import PAYMENT_EVENT, USER_EVENT, PaymentStep, Source, Step


def consent_step(event: Message) -> tuple[str, Step] | None:
    """(call id, step) of an IvrConsent UserEvent, else None."""
    if event.name != "UserEvent" or event.get("UserEvent") != USER_EVENT:
        return None
    call_id, step = event.get("Call", ""), Step.parse(event.get("Step"))
    return (call_id, step) if call_id and step is not None else None


def payment_step(event: Message) -> tuple[str, PaymentStep] | None:
    """(call id, step) of an IvrPayment UserEvent, else None."""
    if event.name != "UserEvent" or event.get("UserEvent") != PAYMENT_EVENT:
        return None
    call_id, step = event.get("Call", ""), PaymentStep.parse(event.get("Step"))
    return (call_id, step) if call_id and step is not None else None


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


# Steps whose input holds nothing but the time.
_AT_ONLY: dict[Step, type[i.FullNoticeRequested | i.NoticeDone | i.NoticeIncomplete]]
_AT_ONLY = {
    Step.FULL_NOTICE: i.FullNoticeRequested,
    Step.NOTICE_DONE: i.NoticeDone,
    Step.NOTICE_INCOMPLETE: i.NoticeIncomplete,
}


def _from_step(step: Step, event: Message, at: datetime) -> i.Input | None:
    if step in _AT_ONLY:
        return _AT_ONLY[step](at)
    match step:
        case Step.NOTICE_STARTED:
            return i.NoticeStarted(at, event.get("Profile", ""), event.get("Language", ""))
        case Step.OBJECTED:
            return i.Objected(at, _source(event.get("Source", "")))
        case Step.OPTED_IN:
            return i.OptedIn(at)
        case Step.DECLINED:
            return i.Declined(at)
        case Step.PRIVATE:  # the PBX ran the agent's private key: an input like the key itself
            return i.AgentPrivate(at, endpoint(event.get("Agent", "")), Source.PBX_FEATURE)
    return None


def _source(value: str) -> Source:
    try:
        return Source(value)
    except ValueError:
        return Source.DIALPLAN


def agent_key(event: Message) -> str | None:
    """The key an agent pressed (DTMF end received on the agent's channel), else None."""
    if event.name == "DTMFEnd" and event.get("Direction") == "Received":
        return event.get("Digit", "") or None
    return None


def endpoint(channel: str) -> str:
    """Who an agent is, from its channel: ``PJSIP/agent1001-0000002a`` is ``PJSIP/agent1001``."""
    return channel.rsplit("-", 1)[0] if "-" in channel else channel

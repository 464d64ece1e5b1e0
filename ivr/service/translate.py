"""AMI events of the PBX, translated into the consent machine's inputs. Pure.

Only the caller's channel matters: its unique id is the call id the dialplan gave the call
(IVR_CALL), so an event whose Uniqueid is not a tracked call id is ignored, agents' included.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ivr.ami import Message
from ivr.consent import inputs as i
from ivr.names import USER_EVENT, Source, Step


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


def to_input(event: Message, at: datetime) -> i.Input | None:
    """The machine's input for this event of the caller's channel, if it means anything."""
    step = consent_step(event)
    if step is not None:
        return _from_step(step[1], event, at)
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
    return None


def _source(value: str) -> Source:
    try:
        return Source(value)
    except ValueError:
        return Source.DIALPLAN

"""What happens to a call, as the machine hears it (translated from AMI events elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.names import Mode, Prompt, Source, Step


@dataclass(frozen=True)
class Decided:
    """The service's choice for a call that just arrived, made before any notice plays."""

    at: datetime
    profile: str
    language: str
    mode: Mode
    record: bool  # sampling, declared periods, private calls: may this call be recorded at all
    prompt: Prompt  # the notice the caller hears
    profile_why: str
    record_why: str


@dataclass(frozen=True)
class NoticeStarted:
    at: datetime
    profile: str
    language: str


@dataclass(frozen=True)
class FullNoticeRequested:
    at: datetime


@dataclass(frozen=True)
class NoticeDone:
    """The caller heard the short (or full) notice to its end."""

    at: datetime


@dataclass(frozen=True)
class NoticeIncomplete:
    """Keys kept cutting the notice short: it was never heard to the end."""

    at: datetime


@dataclass(frozen=True)
class OptedIn:
    """Opt-in profiles: the caller pressed the accept key."""

    at: datetime


@dataclass(frozen=True)
class Declined:
    """Opt-in profiles: the caller pressed another key than accept: no consent."""

    at: datetime


@dataclass(frozen=True)
class PaymentStarted:
    """The call entered a payment step: card data must never reach the recording."""

    at: datetime


@dataclass(frozen=True)
class PaymentEnded:
    at: datetime


@dataclass(frozen=True)
class PaymentUnconfirmed:
    """The dialplan stopped the recording itself: the service did not confirm the mute in time."""

    at: datetime


@dataclass(frozen=True)
class AgentJoined:
    """An agent's channel entered the call's bridge."""

    at: datetime
    channel: str


@dataclass(frozen=True)
class AgentPause:
    """An agent pressed the pause key: pause, or resume if paused."""

    at: datetime
    by: str


@dataclass(frozen=True)
class AgentPrivate:
    """An agent pressed the private-call key: the call is excluded from recording."""

    at: datetime
    by: str


@dataclass(frozen=True)
class Objected:
    at: datetime
    source: Source


@dataclass(frozen=True)
class KeyPressed:
    """A key the caller pressed (DTMF end, received on the caller's channel)."""

    at: datetime
    digit: str


@dataclass(frozen=True)
class Bridged:
    """The caller's channel entered a bridge: a conversation begins."""

    at: datetime


@dataclass(frozen=True)
class Unheard:
    """For a while nobody could hear the caller's keys: the service was away or its AMI link
    was down. Between the notice and the conversation only the service listens for them, so an
    objection pressed then may have been lost."""

    at: datetime
    why: str


@dataclass(frozen=True)
class NoticeMissed:
    """The notice ended while the service's AMI link was down: the step the dialplan kept in
    IVR_STEP (notice-done, notice-incomplete or declined), read once the link is back."""

    at: datetime
    step: Step


@dataclass(frozen=True)
class RecordingStarted:
    at: datetime


@dataclass(frozen=True)
class RecordingFailed:
    at: datetime
    reason: str


@dataclass(frozen=True)
class HungUp:
    at: datetime


Input = (
    Decided
    | NoticeStarted
    | FullNoticeRequested
    | NoticeDone
    | NoticeIncomplete
    | OptedIn
    | Declined
    | PaymentStarted
    | PaymentEnded
    | PaymentUnconfirmed
    | AgentJoined
    | AgentPause
    | AgentPrivate
    | Objected
    | KeyPressed
    | Bridged
    | Unheard
    | NoticeMissed
    | RecordingStarted
    | RecordingFailed
    | HungUp
)

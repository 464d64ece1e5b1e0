"""What happens to a call, as the machine hears it (translated from AMI events elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.names import Decision, Mode, Prompt, Source, Step


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
    group: str = ""  # the agent group the dialplan named (IVR_GROUP): whose supervisors see it
    # Whether the call may be recorded under its profile and policy, sampling aside (not a
    # private call, inside the declared periods): where a supervisor may listen live.
    eligible: bool = False


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
    """An agent pressed the private-call key: the call is excluded from recording. Seen by the
    service on the agent's channel, or run by the PBX itself (`Source.PBX_FEATURE`)."""

    at: datetime
    by: str
    source: Source = Source.AGENT


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
class RecordingArmed:
    """The dialplan was given the go: a MixMonitor (option `b`) may run on the caller's channel
    from now on, writing once the caller is bridged."""

    at: datetime


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


# What the executor found carrying out the machine's commands: facts, never decisions.


@dataclass(frozen=True)
class KeptFile:
    """A closed recording as it is kept: where, how long, its content hash."""

    path: str
    duration_seconds: float
    sha256: str


@dataclass(frozen=True)
class RecordingStopped:
    """StopMixMonitor answered; ``failure`` says why not (the PBX's feature may have stopped it
    first, or the link is down)."""

    at: datetime
    failure: str = ""


@dataclass(frozen=True)
class RecordingDeleted:
    """A deletion was carried out; ``existed``: there was a file to delete."""

    at: datetime
    file_name: str
    existed: bool


@dataclass(frozen=True)
class RecordingKept:
    """The recording was closed by the PBX, is not empty, and is stored (encrypted if asked)."""

    at: datetime
    kept: KeptFile


@dataclass(frozen=True)
class RecordingMissing:
    """The file was never closed, or is not there."""

    at: datetime
    reason: str


@dataclass(frozen=True)
class RecordingEmpty:
    """Closed without a single sample: the call ended before anything was recorded."""

    at: datetime


@dataclass(frozen=True)
class RecordingErased:
    """The caller's erasure was asked for while the call was up (``ivr erase`` elsewhere)."""

    at: datetime


@dataclass(frozen=True)
class EncryptionFailed:
    """The closed recording could not be encrypted: it is still there, in the clear (``kept``,
    as closed and hashed), for the service to encrypt again later."""

    at: datetime
    reason: str
    kept: KeptFile


@dataclass(frozen=True)
class SpyStarted:
    """A supervisor was allowed to listen live: their channel spies on the call's agent."""

    at: datetime
    channel: str  # the supervisor's channel
    by: str  # who (the person the configuration names)


@dataclass(frozen=True)
class SpyEnded:
    """A supervisor's channel hung up (they left, or were made to)."""

    at: datetime
    channel: str


@dataclass(frozen=True)
class SeenSpy:
    """A supervisor the PBX still lets listen to the call (its AstDB entry and its channel):
    only ever noted there after the service allowed it."""

    channel: str
    by: str  # who (the person the configuration names for the spy's endpoint)


@dataclass(frozen=True)
class Seen:
    """What the PBX and the ledger remember of one call after the service was away."""

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
    finished_as: Decision | None = None  # the ledger closed the call already, with this decision
    armed: bool = False  # IVR_ARM: the dialplan armed a recording the service never saw start
    agents: tuple[str, ...] = ()  # agents' channels in the caller's bridge now
    spies: tuple[SeenSpy, ...] = ()  # supervisors listening live now
    private_at: datetime | None = None  # IVR_PRIVATE or the ledger's event: the agent's key
    private_logged: bool = False  # the ledger already holds the private key


@dataclass(frozen=True)
class Adopted:
    """A call the service did not track (started while it was away, or never seen): its
    machine starts from what the PBX and the ledger remember."""

    at: datetime
    seen: Seen


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
    | RecordingArmed
    | RecordingStarted
    | RecordingFailed
    | HungUp
    | RecordingStopped
    | RecordingDeleted
    | RecordingKept
    | RecordingMissing
    | RecordingEmpty
    | RecordingErased
    | EncryptionFailed
    | Adopted
    | SpyStarted
    | SpyEnded
)

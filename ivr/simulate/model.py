"""What a scenario file describes: calls, their timelines and their expected outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Anchor(StrEnum):
    """Moments of a call that a timeline entry counts its seconds from."""

    ANSWER = "answer"  # the PBX answered the caller
    FULL_NOTICE = "full-notice"  # the dialplan started the full legal notice
    NOTICE_DONE = "notice-done"  # the notice was heard to the end
    BRIDGED = "bridged"  # caller and agent are talking
    PAYMENT = "payment"  # the dialplan began a payment step (card details: recording muted)
    PAYMENT_DONE = "payment-done"  # ... and ended it
    TRANSFERRED = "transferred"  # the PBX carried out the agent's blind transfer


@dataclass(frozen=True)
class Moment:
    at: float  # seconds after `after`
    after: Anchor = Anchor.ANSWER


@dataclass(frozen=True)
class KeyPress:
    keys: str  # one key, or several pressed one after the other (e.g. "*1", a card number)
    when: Moment
    ms: int = 250


@dataclass(frozen=True)
class Transfer:
    """The agent's blind transfer (a SIP REFER from the agent's phone) to a PBX extension."""

    to: str
    when: Moment


@dataclass(frozen=True)
class Expect:
    """The outcome a call must reach; None means "not checked"."""

    recorded: bool | None = None  # a recording is on disk when the call is over
    decision: str | None = None  # the ledger's final decision
    never_created: bool = False  # no recording file ever appeared, even briefly
    objected_within: float | None = None  # ledger objection <= this many s after the key
    steps: tuple[str, ...] = ()  # IvrConsent steps the PBX must report, in this order
    events: tuple[str, ...] = ()  # ledger event kinds that must appear, in this order
    min_seconds: float | None = None  # shortest acceptable kept recording
    language: str | None = None  # the ledger's language (the call's own, when it names one)
    profile: str | None = None  # the ledger's profile (the call's own, when it names one)
    paused: int | None = None  # pause spans in the ledger, each silent in the recording
    outbound: str | None = None  # outbound calls: "allowed" or "refused:<rule>" (issue 19)
    listen: str | None = None  # the supervisor's verdict: "allowed" or the refusal's reason


@dataclass(frozen=True)
class Call:
    name: str
    source: Path  # the scenario file
    line: int  # where the call's table starts in it
    number: str  # the PBX extension dialled, e.g. c-fr-agent
    language: str | None
    voice_tone: str | None
    voice_file: str | None
    keys: tuple[KeyPress, ...]
    hangup: Moment | None  # the caller's; None: the caller waits for the agent's
    expect: Expect
    agent: str = "agent"  # the carrier's agent extension the PBX dials
    agent_hangup: Moment | None = None  # when the agent hangs up, if before the caller
    agent_keys: tuple[KeyPress, ...] = ()  # keys the agent presses (pause, private)
    profile: str | None = None  # the jurisdiction profile the PBX passes to the consent Gosub
    agent_transfer: Transfer | None = None
    campaign: str | None = None  # an outbound call of this campaign (issue 19)
    supervisor: Moment | None = None  # when a supervisor dials *44<agent> to listen live


@dataclass(frozen=True)
class ScenarioFile:
    path: Path
    calls: tuple[Call, ...] = field(default_factory=tuple)

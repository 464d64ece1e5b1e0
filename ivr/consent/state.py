"""The state of one call's consent machine: its phase and what it remembers. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ivr.names import Decision, Mode, PauseReason
from ivr.recordings.naming import file_name


class Phase(StrEnum):
    NOTICE = "notice"
    AWAITING_BRIDGE = "awaiting-bridge"
    RECORDING = "recording"
    UNRECORDED = "unrecorded"
    OBJECTED = "objected"
    PRIVATE = "private"
    CLOSING = "closing"  # hung up: waiting to learn what became of the file
    ENDED = "ended"


@dataclass(frozen=True)
class Spy:
    """A supervisor listening live: their channel, who they are, since when."""

    channel: str
    by: str
    since: datetime


@dataclass(frozen=True)
class Consent:
    call_id: str
    object_key: str
    phase: Phase = Phase.NOTICE
    recording_requested: bool = False
    mode: Mode = Mode.NOTICE
    record: bool = False  # the service's decision: this call may be recorded (never by default)
    accepted: bool = False  # opt-in: the caller pressed the accept key
    paused: frozenset[str] = frozenset()  # why the recording is muted now (PauseReason)
    agents: tuple[str, ...] = ()  # agents' channels that joined the call
    tone: bool = False  # agents hear a beep when the recording starts and stops
    recording_since: datetime | None = None  # to tell a kept file that lost audio
    ended_at: datetime | None = None  # the hang-up, once CLOSING
    pending: Decision | None = None  # CLOSING: the decision unless the file says otherwise
    eligible: bool = False  # may be recorded under its profile and policy, sampling aside
    listenable: bool = False  # heard the notice (and opted in where asked): may be listened to
    group: str = ""  # the agent group the dialplan named
    spies: tuple[Spy, ...] = ()  # supervisors listening live now

    @property
    def file_name(self) -> str:
        """From the PBX's unique id only: never from anything the caller controls."""
        return file_name(self.call_id)

    @property
    def recording(self) -> bool:
        return self.phase is Phase.RECORDING

    @property
    def paying(self) -> bool:
        return PauseReason.PAYMENT in self.paused

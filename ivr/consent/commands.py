"""What the machine decides; the service carries these out over AMI, on disk and in the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ivr.ledger.model import EventKind
from ivr.names import Decision, Source


@dataclass(frozen=True)
class StartRecording:
    file_name: str


@dataclass(frozen=True)
class StopRecording:
    pass


@dataclass(frozen=True)
class DeleteRecording:
    """Delete every file of this recording, now and once more after the writer has let go."""

    file_name: str


@dataclass(frozen=True)
class RememberObjection:
    """Write the objection on the PBX side (channel variable and AstDB), as the dialplan does."""

    at: datetime


@dataclass(frozen=True)
class Log:
    """Append an event to the call's ledger entry."""

    at: datetime
    kind: EventKind
    source: Source
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finish:
    """The call is over: write the final decision (and finalise the kept file, if any)."""

    at: datetime
    decision: Decision
    kept_file: str | None = None


Command = StartRecording | StopRecording | DeleteRecording | RememberObjection | Log | Finish

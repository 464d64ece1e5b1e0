"""What the ledger holds: event kinds and immutable records, each with a JSON form."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ivr.ledger.codec import DetailValue
from ivr.names import Decision, EventKind, Source

__all__ = ["CallRecord", "CallSummary", "Event", "EventKind", "KeptRecording"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class KeptRecording:
    """The evidence for a recording that was kept: where, how long, and its content hash."""

    path: str
    duration_seconds: float
    sha256: str  # 64 lowercase hex digits

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("a kept recording needs a path")
        if not math.isfinite(self.duration_seconds) or self.duration_seconds < 0:
            raise ValueError(f"recording duration {self.duration_seconds!r} is not valid")
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"recording sha256 {self.sha256!r} is not 64 lowercase hex digits")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "duration_seconds": self.duration_seconds, "sha256": self.sha256}


@dataclass(frozen=True)
class Event:
    """One event of a call. `seq` is the ledger's insertion order, unique across calls."""

    seq: int
    at: datetime
    kind: EventKind
    source: Source
    detail: Mapping[str, DetailValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "kind": str(self.kind),
            "source": str(self.source),
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class CallSummary:
    """A call as `list_calls` shows it.

    `start_recorded` is False when the ledger never got the call's start (its first record was
    an event or the decision): the caller fields are then None and `started_at` is the earliest
    time the ledger saw for the call.
    """

    call_id: str
    started_at: datetime
    start_recorded: bool
    caller_number: str | None
    caller_name: str | None
    profile: str | None
    language: str | None
    ended_at: datetime | None
    decision: Decision | None
    event_count: int

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": self.started_at.isoformat(timespec="microseconds"),
            "start_recorded": self.start_recorded,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "profile": self.profile,
            "language": self.language,
            "ended_at": _iso(self.ended_at),
            "decision": None if self.decision is None else str(self.decision),
            "event_count": self.event_count,
        }


@dataclass(frozen=True)
class CallRecord:
    """Everything the ledger knows about one call, events in order of time (then `seq`)."""

    call_id: str
    started_at: datetime
    start_recorded: bool
    caller_number: str | None
    caller_name: str | None
    profile: str | None
    language: str | None
    notice_hash: str | None
    ended_at: datetime | None
    decision: Decision | None
    recording: KeptRecording | None
    events: tuple[Event, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": self.started_at.isoformat(timespec="microseconds"),
            "start_recorded": self.start_recorded,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "profile": self.profile,
            "language": self.language,
            "notice_hash": self.notice_hash,
            "ended_at": _iso(self.ended_at),
            "decision": None if self.decision is None else str(self.decision),
            "recording": None if self.recording is None else self.recording.to_json(),
            "events": [event.to_json() for event in self.events],
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")

"""What happens to a call, as the machine hears it (translated from AMI events elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivr.names import Source


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
    NoticeStarted
    | FullNoticeRequested
    | NoticeDone
    | NoticeIncomplete
    | Objected
    | KeyPressed
    | Bridged
    | RecordingStarted
    | RecordingFailed
    | HungUp
)

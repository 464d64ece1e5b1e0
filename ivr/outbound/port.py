"""What the guard needs from storage: small enough for a PostgreSQL backend beside SQLite.

A backend keeps the cap exact under concurrency: `guard` reads the facts, decides and records
the attempt in one serialised transaction, so two sites calling the same consumer at the same
instant cannot both be the fourth attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ivr.outbound.profiles import Campaign
from ivr.outbound.rules import Decision, Facts


@dataclass(frozen=True)
class ConsentRecord:
    number: str  # E.164
    given_at: datetime
    source: str  # where it was collected (a form, a call, a shop)
    wording: str  # what the consumer agreed to, word for word
    purpose: str = ""  # the commercial purpose it covers ("": any)
    outside_hours: bool = False  # expressly covers calls outside the allowed days and hours
    kind: str = "consent"  # or "contract": a current contract related to the offer


@dataclass(frozen=True)
class Attempt:
    at: datetime
    professional: str
    campaign: str


class OutboundStore(Protocol):
    def facts(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Facts:
        """What is known of ``number`` for ``campaign`` at ``at``; records nothing."""
        ...

    def guard(self, campaign: Campaign, number: str, at: datetime, shown: bool) -> Decision:
        """Decide and record the decision, plus the attempt when allowed, atomically."""
        ...

    def import_opposition(self, name: str, screened_on: date | None, numbers: Iterable[str]) -> int:
        """Add ``numbers`` (E.164) to the list ``name``; returns how many were new."""
        ...

    def oppose(self, number: str, at: datetime, professional: str, who: str) -> None:
        """A refusal during a call: internal list, consents revoked, refusal recorded."""
        ...

    def add_consents(self, records: Iterable[ConsentRecord]) -> int: ...

    def revoke_consents(self, number: str, at: datetime, who: str) -> int: ...

    def erase(self, number: str, at: datetime, who: str) -> tuple[int, int] | None:
        """An erasure request: opposed, consents revoked (kept as proof), attempts and
        decisions deleted; returns how many attempts and decisions went, or None (nothing
        kept) when the store holds nothing of the number."""
        ...

    def attempts(self, number: str) -> list[Attempt]: ...

    def purge(self, attempts_before: datetime, decisions_before: datetime) -> int: ...

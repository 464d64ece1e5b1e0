"""Outcome figures for the charts, computed from the ledger's call summaries (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ivr.ledger.model import CallSummary
from ivr.names import Decision

DECISIONS = tuple(str(d) for d in Decision)


@dataclass(frozen=True)
class Outcomes:
    days: tuple[date, ...]
    by_day: dict[str, list[int]]  # decision -> count per day, in the order of `days`
    by_profile: dict[str, dict[str, int]]  # profile -> decision -> count
    by_campaign: dict[str, dict[str, int]]  # outbound campaign ("-": none) -> decision -> count
    by_site: dict[str, dict[str, int]]  # site (PBX) -> decision -> count


def outcomes(
    calls: Iterable[CallSummary],
    today: date,
    span: int = 14,
    campaign_of: Callable[[CallSummary], str] = lambda call: "-",
    site_of: Callable[[CallSummary], str] = lambda call: "-",
) -> Outcomes:
    days = tuple(today - timedelta(days=n) for n in range(span - 1, -1, -1))
    index = {day: n for n, day in enumerate(days)}
    by_day = {decision: [0] * span for decision in DECISIONS}
    by_profile: dict[str, Counter[str]] = {}
    by_campaign: dict[str, Counter[str]] = {}
    by_site: dict[str, Counter[str]] = {}
    for call in calls:
        if call.decision is None:
            continue
        decision = str(call.decision)
        slot = index.get(_day(call.started_at))
        if slot is not None:
            by_day[decision][slot] += 1
        by_profile.setdefault(call.profile or "-", Counter())[decision] += 1
        by_campaign.setdefault(campaign_of(call), Counter())[decision] += 1
        by_site.setdefault(site_of(call), Counter())[decision] += 1
    return Outcomes(days, by_day, _tables(by_profile), _tables(by_campaign), _tables(by_site))


def _tables(counts: dict[str, Counter[str]]) -> dict[str, dict[str, int]]:
    return {key: dict(counter) for key, counter in sorted(counts.items())}


def _day(moment: datetime) -> date:
    return moment.date()

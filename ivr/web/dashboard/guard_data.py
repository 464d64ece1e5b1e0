"""The outbound guard's figures for the dashboard, from the outbound store read-only
(`ivr.outbound.reads`) in a worker thread, and the service's ``[outbound]`` settings.

The pure parts (the refusal chart's series, list freshness, masking, the campaign of a ledger
call) are functions of their inputs, tested without a store.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ivr.config.errors import ConfigError
from ivr.config.model import Settings
from ivr.ledger.model import CallSummary
from ivr.outbound.config import OutboundSettings, load_outbound
from ivr.outbound.numbers import NumberError, normalise
from ivr.outbound.reads import (
    EMPTY,
    AttemptRow,
    GuardLog,
    ListRow,
    OutboundReader,
    OutboundReads,
    PgOutboundReader,
)
from ivr.store import postgres

log = logging.getLogger(__name__)

INBOUND = "-"  # the campaign column of a call no outbound attempt explains
MATCH_BEFORE = timedelta(minutes=5)  # an answered call starts after its guard decision ...
MATCH_AFTER = timedelta(seconds=5)  # ... give or take the clocks of the two writers


@dataclass(frozen=True)
class ListState:
    name: str
    screened_on: date | None
    max_age_days: int | None  # None: no profile in use requires this list
    stale: bool


@dataclass(frozen=True)
class GuardFigures:
    configured: bool  # campaigns are configured
    error: str | None  # the [outbound] section could not be read
    log: GuardLog
    lists: tuple[ListState, ...]


async def guard_figures(settings: Settings, since: datetime, today: date) -> GuardFigures:
    def read() -> GuardFigures:
        try:
            outbound = load_outbound(settings)
            decisions = reader(settings, outbound).guard_log(since)
        except _read_errors(settings) as exc:  # shown on the page, not a 500
            return GuardFigures(False, str(exc), EMPTY, ())
        return GuardFigures(
            bool(outbound.campaigns), None, decisions, freshness(outbound, decisions.lists, today)
        )

    return await asyncio.to_thread(read)


async def campaign_attempts(settings: Settings, since: datetime) -> CampaignOf:
    """How to tell a ledger call's campaign, from the attempts the guard allowed since `since`."""

    def read() -> CampaignOf:
        try:
            outbound = load_outbound(settings)
            attempts = reader(settings, outbound).attempts(since - MATCH_BEFORE)
        except _read_errors(settings):
            log.exception("outcomes: the outbound attempts cannot be read")
            return lambda call: INBOUND
        regions = sorted({c.profile.region for c in outbound.campaigns.values()}) or ["FR"]
        return campaign_finder(attempts, regions)

    return await asyncio.to_thread(read)


CampaignOf = Callable[[CallSummary], str]


def _read_errors(settings: Settings) -> tuple[type[Exception], ...]:
    shared = postgres.errors() if settings.store.url is not None else ()
    return (ConfigError, sqlite3.Error, *shared)


def reader(settings: Settings, outbound: OutboundSettings) -> OutboundReads:
    """The store the guard writes to: the shared one when [store] url is set (as
    `ivr.outbound.stores`), else the SQLite file."""
    if settings.store.url is not None:
        return PgOutboundReader(settings.store.url, settings.store.site)
    return OutboundReader(outbound.store)


def campaign_finder(attempts: Sequence[AttemptRow], regions: Sequence[str]) -> CampaignOf:
    """An outbound call's ledger entry names the called party as its caller (the dialplan sets
    it so): its campaign is that of the latest attempt to that number just before it started."""
    by_number: dict[str, list[AttemptRow]] = {}
    for attempt in attempts:
        by_number.setdefault(attempt.number, []).append(attempt)

    def campaign_of(call: CallSummary) -> str:
        for number in _forms(call.caller_number, regions):
            earlier = [
                a
                for a in by_number.get(number, ())
                if call.started_at - MATCH_BEFORE <= a.at <= call.started_at + MATCH_AFTER
            ]
            if earlier:
                return max(earlier, key=lambda a: a.at).campaign
        return INBOUND

    return campaign_of


def _forms(number: str | None, regions: Iterable[str]) -> list[str]:
    forms = []
    for region in regions if number else ():
        try:
            forms.append(normalise(number or "", region))
        except NumberError:
            continue
    return forms


def freshness(
    outbound: OutboundSettings, stored: Iterable[ListRow], today: date
) -> tuple[ListState, ...]:
    """Every stored list and every list a campaign's profile requires, with its staleness by
    the strictest profile that requires it (the guard refuses every call once it is stale)."""
    limits: dict[str, int] = {}
    for campaign in outbound.campaigns.values():
        profile = campaign.profile
        for name in profile.required_lists:
            limits[name] = min(
                limits.get(name, profile.list_max_age_days), profile.list_max_age_days
            )
    screened = {row.name: row.screened_on for row in stored}
    states = []
    for name in sorted(set(screened) | set(limits)):
        on, limit = screened.get(name), limits.get(name)
        stale = limit is not None and (on is None or (today - on).days > limit)
        states.append(ListState(name, on, limit, stale))
    return tuple(states)


def refusal_series(
    refusals: Iterable[tuple[date, str, int]], days: Sequence[date]
) -> dict[str, list[int]]:
    """Rule -> refusals per day, in the order of `days` (rules that refused nothing left out)."""
    index = {day: n for n, day in enumerate(days)}
    series: dict[str, list[int]] = {}
    for day, rule, count in refusals:
        slot = index.get(day)
        if slot is not None:
            series.setdefault(rule, [0] * len(days))[slot] += count
    return dict(sorted(series.items()))


def masked(number: str) -> str:
    """A number for eyes that may not see personal data: its country code and last two
    digits, enough to tell two rows apart."""
    if len(number) <= 5:
        return "•" * len(number)
    head = 3 if number.startswith("+") else 0
    return number[:head] + "•" * (len(number) - head - 2) + number[-2:]

"""The guard's decision: pure, from the facts the store gathered about one number.

Each rule gives a `Check` (passed or not, and why); the call is allowed when every check
passes, and the first that fails names the refusal. `ivr outbound check` prints them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from ivr.outbound.numbers import zones
from ivr.outbound.profiles import Campaign


class Rule(StrEnum):
    """The rules in the order they are checked; a refusal names the first that failed."""

    CALLER_ID = "caller-id"  # masked caller ID (L.221-17)
    OPPOSITION = "opposition"  # on an opposition list
    REST = "refusal-rest"  # refused during a call less than rest_days ago
    LIST_STALE = "list-stale"  # a required list screened too long ago, or never
    CONSENT = "consent"  # no stored consent or contract, once required
    WINDOW = "window"  # outside the allowed days and hours, or a public holiday
    CAP = "cap"  # too many attempts in the rolling period
    # Refusals the rules above never give: the guard's own.
    NUMBER = "number"  # not a phone number
    CAMPAIGN = "campaign"  # an unknown campaign
    UNAVAILABLE = "unavailable"  # the guard did not answer in time


@dataclass(frozen=True)
class ConsentFact:
    kind: str  # "consent" or "contract"
    given_at: datetime
    source: str
    purpose: str
    outside_hours: bool  # expressly covers calls outside the allowed days and hours


@dataclass(frozen=True)
class Facts:
    """What the store knows about one number, for one campaign, at one moment."""

    number: str  # E.164
    at: datetime  # aware
    caller_id_shown: bool
    opposed_on: tuple[str, ...] = ()  # the campaign's lists the number is on
    last_refusal: datetime | None = None
    attempts: int = 0  # attempts for the professional in the cap's period ending at `at`
    consents: tuple[ConsentFact, ...] = ()  # unrevoked, given before `at`
    screened_on: Mapping[str, date | None] = field(default_factory=dict)  # list -> date


@dataclass(frozen=True)
class Check:
    rule: Rule
    passed: bool
    detail: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: Rule | None  # the first rule that refused; None when allowed
    checks: tuple[Check, ...]

    @staticmethod
    def refused(rule: Rule, detail: str) -> Decision:
        return Decision(False, rule, (Check(rule, False, detail),))


def decide(campaign: Campaign, facts: Facts) -> Decision:
    checks = (
        _caller_id(facts),
        _opposition(facts),
        _rest(campaign, facts),
        _lists(campaign, facts),
        _consent(campaign, facts),
        _window(campaign, facts),
        _cap(campaign, facts),
    )
    failed = next((check.rule for check in checks if not check.passed), None)
    return Decision(failed is None, failed, checks)


def _caller_id(facts: Facts) -> Check:
    if facts.caller_id_shown:
        return Check(Rule.CALLER_ID, True, "the caller ID is presented")
    return Check(Rule.CALLER_ID, False, "the caller ID is masked")


def _opposition(facts: Facts) -> Check:
    if facts.opposed_on:
        return Check(Rule.OPPOSITION, False, f"on the list(s) {', '.join(facts.opposed_on)}")
    return Check(Rule.OPPOSITION, True, "on no opposition list")


def _rest(campaign: Campaign, facts: Facts) -> Check:
    days = campaign.profile.rest_days
    last = facts.last_refusal
    if days and last is not None and facts.at < last + timedelta(days=days):
        return Check(Rule.REST, False, f"refused a call on {last:%Y-%m-%d}, rest {days} days")
    return Check(Rule.REST, True, "no refusal in the rest period")


def _lists(campaign: Campaign, facts: Facts) -> Check:
    limit = campaign.profile.list_max_age_days
    today = facts.at.date()
    for name in campaign.profile.required_lists:
        screened = facts.screened_on.get(name)
        if screened is None:
            return Check(Rule.LIST_STALE, False, f"the list {name} was never imported")
        if (today - screened).days > limit:
            why = f"the list {name} was screened on {screened}, over {limit} days ago"
            return Check(Rule.LIST_STALE, False, why)
    return Check(Rule.LIST_STALE, True, "every required list is up to date")


def _covering(campaign: Campaign, facts: Facts) -> list[ConsentFact]:
    """Consents for this campaign's purpose (a contract covers any related offer)."""
    purpose = campaign.purpose
    return [
        fact
        for fact in facts.consents
        if fact.kind == "contract" or not purpose or not fact.purpose or fact.purpose == purpose
    ]


def _consent(campaign: Campaign, facts: Facts) -> Check:
    start = campaign.profile.consent_from
    if start is None or facts.at.date() < start:
        return Check(Rule.CONSENT, True, "no consent required")
    found = _covering(campaign, facts)
    if not found:
        return Check(Rule.CONSENT, False, f"no stored consent or contract (required since {start})")
    first = found[0]
    return Check(Rule.CONSENT, True, f"{first.kind} of {first.given_at:%Y-%m-%d} ({first.source})")


def _window(campaign: Campaign, facts: Facts) -> Check:
    profile = campaign.profile
    if profile.windows is None:
        return Check(Rule.WINDOW, True, "no calling window")
    if any(fact.outside_hours for fact in _covering(campaign, facts)):
        return Check(Rule.WINDOW, True, "a consent covers calls outside the hours")
    for zone in zones(facts.number, profile.zones, profile.zone):
        why = profile.windows.verdict(facts.at, zone)
        if why is not None:
            return Check(Rule.WINDOW, False, why)
    return Check(Rule.WINDOW, True, "inside the allowed hours")


def _cap(campaign: Campaign, facts: Facts) -> Check:
    cap = campaign.profile.cap_attempts
    if cap is None:
        return Check(Rule.CAP, True, "no cap")
    days = campaign.profile.cap_days
    if facts.attempts >= cap:
        return Check(Rule.CAP, False, f"{facts.attempts} attempts in {days} days, cap {cap}")
    return Check(Rule.CAP, True, f"{facts.attempts} attempts in {days} days, cap {cap}")
